from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import selectors
from ..forms.accounts import InvitationCreateForm
from ..models import Invitation
from ..permissions import administrator_required
from ..services import accounts as account_services


@administrator_required
def staff_overview(request):
    return render(request, "surveys/staff_overview.html", selectors.staff_overview())


@administrator_required
def invitation_create(request):
    form = InvitationCreateForm(
        request.POST or None, initial={"organization": request.GET.get("organization")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = account_services.invitation_create(
                organization=form.cleaned_data["organization"],
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except account_services.InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"Invitation sent to {invitation.email} for {invitation.organization}.")
            return redirect("surveys:staff-overview")
    return render(request, "surveys/invitation_create.html", {"form": form})


@administrator_required
@require_POST
def invitation_resend(request, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        invitation, _ = account_services.invitation_resend(invitation=invitation, administrator=request.user)
    except account_services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"A new link was sent to {invitation.email}; the old one no longer works.")
    return redirect("surveys:staff-overview")


@administrator_required
@require_POST
def invitation_revoke(request, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        invitation = account_services.invitation_revoke(invitation=invitation, administrator=request.user)
    except account_services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"The invitation of {invitation.email} to {invitation.organization} was revoked."
        )
    return redirect("surveys:staff-overview")
