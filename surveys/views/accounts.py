import base64

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user
from django_otp import login as otp_login

from ..forms.accounts import BackupCodeForm, InvitationAcceptForm, ProfileForm, TokenForm
from ..services import accounts as account_services


def _safe_next(request, default: str):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def home(request):
    """Where a person lands after logging in: members their organisation, staff their work queue."""
    user = request.user
    if user.is_administrator:
        return redirect("surveys:staff-overview")
    if user.is_reviewer:
        return redirect("surveys:review-queue")
    memberships = list(user.memberships.select_related("organization").filter(organization__is_active=True))
    acting = request.session.get("acting_organization")
    chosen = next((m for m in memberships if m.organization.slug == acting), None)
    if chosen is None and len(memberships) == 1:
        chosen = memberships[0]
    if chosen:
        return redirect("surveys:organization-detail", org_slug=chosen.organization.slug)
    return redirect("surveys:organization-list")


@login_required
def profile(request):
    form = ProfileForm(
        request.POST or None,
        initial={"first_name": request.user.first_name, "last_name": request.user.last_name},
    )
    if request.method == "POST" and form.is_valid():
        account_services.user_update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    memberships = request.user.memberships.select_related("organization")
    has_device = any(devices_for_user(request.user, confirmed=True))
    return render(
        request, "surveys/profile.html", {"form": form, "memberships": memberships, "has_device": has_device}
    )


def invitation_accept(request, token):
    """A new person chooses a password; a person who already has an account logs in and accepts."""
    try:
        invitation = account_services.invitation_get_usable(token=token)
    except account_services.InvitationError as error:
        return render(request, "surveys/invitation_invalid.html", {"reason": str(error)}, status=410)
    if account_services.invitation_account_exists(invitation=invitation):
        return _invitation_accept_existing(request, token, invitation)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_services.invitation_accept(
                token=token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except account_services.InvitationError as error:
            return render(request, "surveys/invitation_invalid.html", {"reason": str(error)}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to Milepost. You are now a member of {invitation.organization}.")
        return redirect("surveys:organization-detail", org_slug=invitation.organization.slug)
    return render(request, "surveys/invitation_accept.html", {"form": form, "invitation": invitation})


def _invitation_accept_existing(request, token, invitation):
    """The address has an account: log in to accept; the password is never asked for here nor changed."""
    context = {"invitation": invitation, "existing": True}
    if request.method == "POST" and request.user.is_authenticated:
        try:
            account_services.invitation_accept_as(token=token, user=request.user)
        except account_services.InvitationError as error:
            messages.error(request, str(error))
            return render(request, "surveys/invitation_accept.html", context)
        messages.success(request, f"You are now a member of {invitation.organization}.")
        return redirect("surveys:organization-detail", org_slug=invitation.organization.slug)
    return render(request, "surveys/invitation_accept.html", context)


@login_required
def two_factor_setup(request):
    """Staff add an authenticator app: scan the QR code, type the code it shows."""
    if any(devices_for_user(request.user, confirmed=True)):
        return redirect("two-factor-verify")
    device = account_services.totp_device_pending(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if account_services.totp_device_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(
                request, "Two-factor authentication is on. You will need your app each time you log in."
            )
            # Shown here, once: a lost phone then needs a saved code, not another administrator.
            codes = account_services.backup_codes_generate(user=request.user)
            return render(
                request,
                "registration/backup_codes.html",
                {"codes": codes, "continue_to": _safe_next(request, "/"), "first_time": True},
            )
        form.add_error(
            "token", "That code is not right. Check the time on your phone and type the newest code."
        )
    qr = segno.make(device.config_url)
    context = {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=4),
        "secret": base64.b32encode(device.bin_key).decode(),
        "next": request.GET.get("next", ""),
    }
    return render(request, "registration/two_factor_setup.html", context)


@login_required
def two_factor_verify(request):
    if request.user.is_verified():
        return redirect(_safe_next(request, "surveys:home"))
    devices = [d for d in devices_for_user(request.user, confirmed=True)]
    if not devices:
        return redirect("two-factor-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        device = next((d for d in devices if d.verify_token(token)), None)
        if device:
            otp_login(request, device)
            return redirect(_safe_next(request, "surveys:home"))
        form.add_error("token", "That code is not right. Type the newest code your authenticator app shows.")
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
def two_factor_backup(request):
    """The second-factor prompt's fallback: a backup code instead of the authenticator app."""
    if request.user.is_verified():
        return redirect(_safe_next(request, "surveys:home"))
    if not any(devices_for_user(request.user, confirmed=True)):
        return redirect("two-factor-setup")
    form = BackupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = account_services.backup_code_use(user=request.user, code=form.cleaned_data["code"])
        if device:
            otp_login(request, device)
            left = account_services.backup_codes_remaining(user=request.user)
            messages.warning(
                request,
                f"You logged in with a backup code; {left} left. Make new ones in your profile if you are "
                "running short, and set up your authenticator app again if you lost it.",
            )
            return redirect(_safe_next(request, "surveys:home"))
        form.add_error("code", "That code is not one of your unused backup codes. Check it and try again.")
    return render(
        request, "registration/two_factor_backup.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
def backup_codes(request):
    """Staff see how many backup codes they have left and make a new set (shown once, the old set stops
    working). Only after their second factor, so a stolen password alone cannot mint codes."""
    if not request.user.is_coalition_staff:
        return redirect("profile")
    if not request.user.is_verified():
        from ..permissions import redirect_to_second_factor

        return redirect_to_second_factor(request)
    if request.method == "POST":
        codes = account_services.backup_codes_generate(user=request.user)
        messages.success(request, "New backup codes are ready; the old ones no longer work.")
        return render(request, "registration/backup_codes.html", {"codes": codes, "continue_to": "/"})
    remaining = account_services.backup_codes_remaining(user=request.user)
    return render(request, "registration/backup_codes_manage.html", {"remaining": remaining})
