import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ..models import AuditEvent, Invitation, Membership, Organization, User


class InvitationError(Exception):
    """The invitation link cannot be used; the message says why and what to do."""


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def organization_create(*, name: str, website: str = "", joined_on=None) -> Organization:
    """Create a member organisation with a unique slug derived from its name."""
    base = slugify(name)[:180] or "organisation"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Organization.objects.create(name=name, slug=slug, website=website, joined_on=joined_on)


def membership_set(*, user: User, organization: Organization, role: str) -> Membership:
    """Give the user this role in the organisation, creating the membership if needed."""
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    return membership


def _invitation_event(invitation: Invitation, *, actor: User | None, action: str) -> None:
    AuditEvent(
        kind=AuditEvent.Kind.INVITATION,
        organization_id=invitation.organization_id,
        actor=actor,
        subject=invitation.email[:120],
        new_value={
            "action": action,
            "role": invitation.role,
            "expires_at": invitation.expires_at.isoformat(),
        },
    ).save()


def _invitation_send(invitation: Invitation, *, token: str) -> str:
    """E-mail the link after commit; a person who already has an account is told to log in to accept."""
    url = settings.SITE_URL.rstrip("/") + reverse("invitation-accept", kwargs={"token": token})
    context = {
        "invitation": invitation,
        "url": url,
        "valid_hours": settings.INVITATION_VALID_HOURS,
        "has_account": User.objects.filter(email__iexact=invitation.email).exists(),
    }
    organization = invitation.organization
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to report for {organization.name} on Milepost",
            message=render_to_string("emails/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    )
    return url


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(hours=settings.INVITATION_VALID_HOURS)
    return token


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: User | None
) -> tuple[Invitation, str]:
    """Invite a person to an organisation and e-mail the link (after commit); returns it and its URL.

    One open invitation per person and organisation: a pending one must be resent or revoked instead
    (InvitationError); an expired one is revoked and replaced. Recorded in the audit log.
    """
    email = email.strip().lower()
    if Membership.objects.filter(user__email__iexact=email, organization=organization).exists():
        raise InvitationError(f"{email} is already a member of {organization}.")
    open_ones = Invitation.objects.select_for_update().open().filter(email=email, organization=organization)
    for earlier in open_ones:
        if not earlier.is_expired:
            raise InvitationError(
                f"{email} already has an invitation to {organization} (sent "
                f"{timezone.localtime(earlier.created_at):%d %b %Y}). Resend or revoke it from the staff overview."
            )
        earlier.revoked_at = timezone.now()
        earlier.save(update_fields=["revoked_at"])
        _invitation_event(earlier, actor=invited_by, action="revoked (expired, replaced)")
    invitation = Invitation(organization=organization, email=email, role=role, invited_by=invited_by)
    token = _new_token(invitation)
    invitation.save()
    _invitation_event(invitation, actor=invited_by, action="created")
    return invitation, _invitation_send(invitation, token=token)


def _lock_open(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if invitation.is_accepted:
        raise InvitationError(f"{invitation.email} has already accepted this invitation.")
    if invitation.is_revoked:
        raise InvitationError("This invitation was revoked. Send a new one.")
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, administrator: User) -> tuple[Invitation, str]:
    """Send a fresh link (the old one stops working) valid for INVITATION_VALID_HOURS; audited."""
    if not administrator.is_administrator:
        raise InvitationError("Only coalition administrators can resend invitations.")
    invitation = _lock_open(invitation)
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at"])
    _invitation_event(invitation, actor=administrator, action="resent")
    return invitation, _invitation_send(invitation, token=token)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, administrator: User) -> Invitation:
    """The link stops working at once; audited."""
    if not administrator.is_administrator:
        raise InvitationError("Only coalition administrators can revoke invitations.")
    invitation = _lock_open(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _invitation_event(invitation, actor=administrator, action="revoked")
    return invitation


def invitation_get_usable(*, token: str) -> Invitation:
    """The invitation behind a link, or InvitationError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("organization").filter(token_hash=_hash_token(token)).first()
    )
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid. Check that you copied the whole link; if it was sent again, "
            "use the newest e-mail."
        )
    if invitation.is_accepted:
        raise InvitationError(
            "This invitation has already been used. Log in with your e-mail address and password, "
            "or use “Forgotten your password?” on the login page."
        )
    if invitation.is_revoked:
        raise InvitationError("This invitation was withdrawn. Ask the coalition staff if you need a new one.")
    if invitation.is_expired:
        raise InvitationError(
            "This invitation has expired. Ask the coalition staff (or your organisation's lead) to send a new one."
        )
    return invitation


def invitation_account_exists(*, invitation: Invitation) -> bool:
    return User.objects.filter(email__iexact=invitation.email).exists()


def _accept(invitation: Invitation, user: User) -> None:
    membership_set(user=user, organization=invitation.organization, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _invitation_event(invitation, actor=user, action="accepted")


@transaction.atomic
def invitation_accept(*, token: str, first_name: str, last_name: str, password: str) -> User:
    """Use an invitation once to create a new account and add the membership.

    Refused when the address already has an account: its owner logs in to accept (`invitation_accept_as`),
    so an invitation can never change an existing password.
    """
    invitation = invitation_get_usable(token=token)
    # Lock the row so a double-click cannot use the same link twice.
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been used.")
    if invitation_account_exists(invitation=invitation):
        raise InvitationError(
            f"{invitation.email} already has a Milepost account. Log in with it to accept the invitation."
        )
    user = User.objects.create_user(
        email=invitation.email, password=password, first_name=first_name, last_name=last_name
    )
    _accept(invitation, user)
    return user


@transaction.atomic
def invitation_accept_as(*, token: str, user: User) -> Invitation:
    """A logged-in person whose address the invitation names joins the organisation; nothing else changes."""
    invitation = invitation_get_usable(token=token)
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been used.")
    if user.email.lower() != invitation.email.lower():
        raise InvitationError(
            f"This invitation is for {invitation.email}, and you are logged in as {user.email}. Log out, "
            f"then log in as {invitation.email} to accept it."
        )
    _accept(invitation, user)
    return invitation


def user_update_profile(*, user: User, first_name: str, last_name: str) -> User:
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return user


def staff_user_create(
    *, email: str, password: str, role: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create a coalition staff account; administrators may also use the Django admin."""
    is_admin = role == User.StaffRole.ADMINISTRATOR
    return User.objects.create_user(
        email=email,
        password=password,
        staff_role=role,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_admin,
        is_superuser=is_admin,
    )


def totp_device_pending(*, user: User):
    """The user's unconfirmed authenticator device, created on first visit to the set-up page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_confirm(*, device, token: str) -> bool:
    """Confirm a new authenticator device if the code it shows is right."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


BACKUP_CODE_COUNT = 10


@transaction.atomic
def backup_codes_generate(*, user: User) -> list[str]:
    """Replace the user's backup codes with a fresh set and return them to show once; earlier codes stop
    working. Each code logs in once in place of the authenticator app (backup_code_use)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_remaining(*, user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def backup_code_use(*, user: User, code: str):
    """The backup-code device if `code` is one of the user's unused codes (it is then used up), else None.

    The device row is locked, so the same code typed twice at once logs in once.
    """
    from django_otp.plugins.otp_static.models import StaticDevice

    code = code.strip().replace(" ", "").replace("-", "").lower()
    for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None
