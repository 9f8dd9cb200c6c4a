import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from surveys.models import Invitation, Membership, User
from surveys.services.accounts import InvitationError, invitation_accept, invitation_create

from ..conftest import PASSWORD
from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_member_logs_in_and_lands_on_their_organisation(client, lead_a, org_a):
    response = _login(client, lead_a.email)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == reverse("surveys:organization-detail", kwargs={"org_slug": org_a.slug})


def test_member_of_two_organisations_chooses_which_to_act_for(client, org_a, org_b):
    user = MembershipFactory(organization=org_a).user
    MembershipFactory(organization=org_b, user=user)
    client.force_login(user)
    assert client.get(reverse("surveys:home"))["Location"] == reverse("surveys:organization-list")
    page = client.get(reverse("surveys:organization-list"))
    assert org_a.name in page.text and org_b.name in page.text
    client.get(reverse("surveys:organization-detail", kwargs={"org_slug": org_b.slug}))
    assert client.get(reverse("surveys:home"))["Location"].endswith(f"/orgs/{org_b.slug}/")


def test_wrong_password_is_refused_with_a_plain_message(client, lead_a):
    response = _login(client, lead_a.email, password="wrong")
    assert response.status_code == 200
    assert "do not match an account" in response.text


def test_logout_ends_the_session(client, lead_a):
    client.force_login(lead_a)
    client.post(reverse("logout"))
    assert client.get(reverse("surveys:home"))["Location"].startswith(reverse("login"))


def test_repeated_failures_lock_the_account_out_with_a_clear_message(client, lead_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, lead_a.email, password="wrong")
    response = _login(client, lead_a.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client, lead_a):
    client.post(reverse("password_reset"), {"email": lead_a.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password-reset/\S+/", mail.outbox[0].body).group(0)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a much newer secret 42", "new_password2": "a much newer secret 42"}
    )
    assert response["Location"] == reverse("password_reset_complete")
    assert _login(client, lead_a.email, password="a much newer secret 42").status_code == 302


def test_invitation_creates_the_account_and_membership_once(client, org_a, administrator):
    invitation, url = invitation_create(
        organization=org_a,
        email="New.Person@Example.org",
        role=Membership.Role.LEAD,
        invited_by=administrator,
    )
    path = url.split("127.0.0.1:8000", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "new.person@example.org" in page.text

    response = client.post(
        path,
        {
            "first_name": "New",
            "last_name": "Person",
            "password1": "river stone 8812",
            "password2": "river stone 8812",
        },
    )
    assert response["Location"] == reverse("surveys:organization-detail", kwargs={"org_slug": org_a.slug})
    user = User.objects.get(email="new.person@example.org")
    assert user.memberships.get().role == Membership.Role.LEAD
    client.logout()

    reused = client.get(path)
    assert reused.status_code == 410
    assert "already been used" in reused.text


def test_invitation_email_is_sent_after_commit(django_capture_on_commit_callbacks, org_a, administrator):
    with django_capture_on_commit_callbacks(execute=True):
        _, url = invitation_create(
            organization=org_a, email="x@example.org", role="contributor", invited_by=administrator
        )
    assert mail.outbox[0].to == ["x@example.org"]
    assert url in mail.outbox[0].body


def test_expired_invitation_is_refused_with_what_to_do(client, org_a):
    invitation, url = invitation_create(
        organization=org_a, email="late@example.org", role="contributor", invited_by=None
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(url.split("127.0.0.1:8000", 1)[1])
    assert response.status_code == 410
    assert "expired" in response.text and "send a new one" in response.text
    with pytest.raises(InvitationError):
        invitation_accept(token=url.rsplit("/", 2)[1], first_name="", last_name="", password="x")


def test_unknown_invitation_token_is_refused(client):
    assert client.get(reverse("invitation-accept", kwargs={"token": "nope"})).status_code == 410


def test_invitation_form_keeps_input_and_explains_password_mismatch(client, org_a):
    _, url = invitation_create(
        organization=org_a, email="typo@example.org", role="contributor", invited_by=None
    )
    response = client.post(
        url.split("127.0.0.1:8000", 1)[1],
        {
            "first_name": "Ada",
            "last_name": "Byron",
            "password1": "river stone 8812",
            "password2": "river stone 8813",
        },
    )
    assert response.status_code == 200
    assert "The two passwords are different" in response.text
    assert 'value="Ada"' in response.text


def test_staff_without_second_factor_is_sent_to_set_one_up(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("surveys:review-queue"))
    assert response["Location"].startswith(reverse("two-factor-setup"))


def test_staff_sets_up_totp_and_then_reaches_staff_pages(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200 and "data:image/svg+xml" in page.text
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)

    wrong = client.post(reverse("two-factor-setup"), {"token": "000000"})
    assert "That code is not right" in wrong.text

    client.post(reverse("two-factor-setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert client.get(reverse("surveys:staff-overview")).status_code == 200


def test_staff_with_a_device_must_enter_a_code_after_login(client, reviewer):
    device = TOTPDevice.objects.create(user=reviewer, confirmed=True, name="phone")
    client.force_login(reviewer)
    response = client.get(reverse("surveys:review-queue"))
    assert response["Location"].startswith(reverse("two-factor-verify"))
    response = client.post(
        reverse("two-factor-verify") + "?next=/review/",
        {"token": f"{totp(device.bin_key):06d}", "next": "/review/"},
    )
    assert response["Location"] == "/review/"
    assert client.get("/review/").status_code == 200


def test_the_second_factor_brings_staff_back_to_the_page_with_all_its_filters(client, administrator):
    device = TOTPDevice.objects.create(user=administrator, confirmed=True, name="phone")
    client.force_login(administrator)
    wanted = reverse("surveys:audit-log") + "?kind=transition&date_from=2026-01-01"
    response = client.get(wanted)
    verify = client.get(response["Location"])
    assert verify.context["next"] == wanted
    response = client.post(response["Location"], {"token": f"{totp(device.bin_key):06d}", "next": wanted})
    assert response["Location"] == wanted


def test_django_admin_requires_a_verified_second_factor(client, administrator):
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 302


def test_administrator_invites_a_person_from_the_staff_pages(admin_client, org_a):
    response = admin_client.post(
        reverse("surveys:invitation-create"),
        {"email": "new@example.org", "organization": org_a.pk, "role": "lead"},
    )
    assert response.status_code == 302
    assert Invitation.objects.get().email == "new@example.org"


def test_inviting_an_existing_member_is_explained(admin_client, lead_a, org_a):
    response = admin_client.post(
        reverse("surveys:invitation-create"),
        {"email": lead_a.email, "organization": org_a.pk, "role": "lead"},
    )
    assert response.status_code == 200
    assert "already a member" in response.text


def test_profile_page_saves_the_name(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("profile"), {"first_name": "Grace", "last_name": "Hopper"})
    user.refresh_from_db()
    assert user.display_name == "Grace Hopper"


# --- Invitations for people who already have an account; one open invitation; resend, revoke (case 4) ----


def _path(url):
    return url.split("127.0.0.1:8000", 1)[1]


def test_inviting_an_existing_account_asks_it_to_log_in_and_never_touches_its_password(
    client, lead_a, org_b, administrator
):
    _, url = invitation_create(
        organization=org_b, email=lead_a.email, role="contributor", invited_by=administrator
    )
    page = client.get(_path(url))
    assert "Log in to accept" in page.text and "Create my account" not in page.text
    # Posting a new password to the link (as the old page invited) changes nothing.
    client.post(
        _path(url),
        {"first_name": "X", "last_name": "Y", "password1": "new pass 99881", "password2": "new pass 99881"},
    )
    lead_a.refresh_from_db()
    assert lead_a.check_password(PASSWORD)
    assert not Membership.objects.filter(user=lead_a, organization=org_b).exists()
    with pytest.raises(InvitationError, match="already has a Milepost account"):
        invitation_accept(token=url.rsplit("/", 2)[1], first_name="", last_name="", password="x pass 12345")

    client.force_login(lead_a)
    accepted = client.post(_path(url))
    assert accepted.status_code == 302
    assert Membership.objects.get(user=lead_a, organization=org_b).role == "contributor"
    lead_a.refresh_from_db()
    assert lead_a.check_password(PASSWORD)


def test_an_invitation_cannot_be_accepted_by_another_logged_in_account(
    client, lead_a, member_b, org_b, administrator
):
    _, url = invitation_create(organization=org_b, email=lead_a.email, role="lead", invited_by=administrator)
    client.force_login(member_b)
    response = client.post(_path(url))
    assert "This invitation is for" in response.text
    assert not Membership.objects.filter(user=lead_a, organization=org_b).exists()


def test_one_open_invitation_per_person_and_organisation(admin_client, org_a, administrator):
    invitation_create(organization=org_a, email="twice@example.org", role="lead", invited_by=administrator)
    response = admin_client.post(
        reverse("surveys:invitation-create"),
        {"email": "Twice@example.org", "organization": org_a.pk, "role": "lead"},
    )
    assert response.status_code == 200 and "already has an invitation" in response.text
    assert Invitation.objects.filter(email="twice@example.org").count() == 1
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            email="twice@example.org", organization=org_a, token_hash="x" * 64, expires_at=timezone.now()
        )


def test_an_expired_invitation_is_replaced_by_a_new_one(org_a, administrator):
    first, _ = invitation_create(
        organization=org_a, email="late@example.org", role="lead", invited_by=administrator
    )
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    second, _ = invitation_create(
        organization=org_a, email="late@example.org", role="lead", invited_by=administrator
    )
    first.refresh_from_db()
    assert first.is_revoked and second.pk != first.pk


def test_invitations_are_valid_72_hours_by_default(org_a, administrator):
    invitation, _ = invitation_create(
        organization=org_a, email="t@example.org", role="lead", invited_by=administrator
    )
    hours = (invitation.expires_at - invitation.created_at).total_seconds() / 3600
    assert 71.9 < hours <= 72.1


def test_administrators_resend_and_revoke_and_the_audit_log_records_it(
    admin_client, org_a, administrator, client, django_capture_on_commit_callbacks
):
    from surveys.models import AuditEvent

    invitation, old_url = invitation_create(
        organization=org_a, email="r@example.org", role="lead", invited_by=administrator
    )
    overview = admin_client.get(reverse("surveys:staff-overview")).text
    assert reverse("surveys:invitation-resend", args=[invitation.pk]) in overview
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("surveys:invitation-resend", args=[invitation.pk]))
    assert len(mail.outbox) == 1 and "72 hours" in mail.outbox[0].body
    new_path = re.search(r"http://\S+", mail.outbox[0].body).group(0).split("127.0.0.1:8000", 1)[1]
    assert client.get(_path(old_url)).status_code == 410  # the old link stops working
    assert client.get(new_path).status_code == 200
    admin_client.post(reverse("surveys:invitation-revoke", args=[invitation.pk]))
    revoked = client.get(new_path)
    assert revoked.status_code == 410 and "withdrawn" in revoked.text
    actions = list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.INVITATION)
        .order_by("id")
        .values_list("new_value__action", flat=True)
    )
    assert actions == ["created", "resent", "revoked"]


def test_members_cannot_resend_or_revoke(lead_client, org_a, administrator):
    invitation, _ = invitation_create(
        organization=org_a, email="m@example.org", role="lead", invited_by=administrator
    )
    assert lead_client.post(reverse("surveys:invitation-revoke", args=[invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert not invitation.is_revoked


def test_invitation_events_show_in_the_audit_log_page(admin_client, org_a, administrator):
    invitation_create(organization=org_a, email="audit@example.org", role="lead", invited_by=administrator)
    page = admin_client.get(reverse("surveys:audit-log"), {"kind": "invitation"})
    assert page.status_code == 200 and "audit@example.org" in page.text
