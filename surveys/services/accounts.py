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

from ..models import Invitation, Membership, Organization, User


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


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: User | None
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link (after commit); returns the invitation and its URL."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email.strip().lower(),
        role=role,
        token_hash=_hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    url = settings.SITE_URL.rstrip("/") + reverse("invitation-accept", kwargs={"token": token})
    context = {"invitation": invitation, "url": url, "valid_days": settings.INVITATION_VALID_DAYS}
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to report for {organization.name} on Milepost",
            message=render_to_string("emails/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    )
    return invitation, url


def invitation_get_usable(*, token: str) -> Invitation:
    """The invitation behind a link, or InvitationError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("organization").filter(token_hash=_hash_token(token)).first()
    )
    if invitation is None:
        raise InvitationError("This invitation link is not valid. Check that you copied the whole link.")
    if invitation.is_accepted:
        raise InvitationError(
            "This invitation has already been used. Log in with your e-mail address and password, "
            "or use “Forgotten your password?” on the login page."
        )
    if invitation.is_expired:
        raise InvitationError(
            "This invitation has expired. Ask the coalition staff (or your organisation's lead) to send a new one."
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, first_name: str, last_name: str, password: str) -> User:
    """Use an invitation once: create (or reuse) the account, set its password and add the membership."""
    invitation = invitation_get_usable(token=token)
    # Lock the row so a double-click cannot use the same link twice.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been used.")
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(
            email=invitation.email, password=password, first_name=first_name, last_name=last_name
        )
    else:
        user.first_name, user.last_name = first_name or user.first_name, last_name or user.last_name
        user.set_password(password)
        user.save()
    membership_set(user=user, organization=invitation.organization, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


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
