import pytest

from surveys.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_logs_in_and_lands_on_their_organisation_page(page):
    organization = OrganizationFactory(name="Harbour Messaging")
    membership = MembershipFactory(
        organization=organization, role=Membership.Role.LEAD, user__email="lead@example.org"
    )

    log_in(page, membership.user.email)

    page.wait_for_url(f"**/orgs/{organization.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Harbour Messaging"
    assert page.get_by_text("You are lead (edits and submits).").is_visible()


def test_wrong_password_shows_a_plain_message_and_keeps_the_email(page):
    MembershipFactory(user__email="someone@example.org")

    log_in(page, "someone@example.org", password="not the password")

    assert page.get_by_text("do not match an account").is_visible()
    assert page.get_by_label("E-mail address").input_value() == "someone@example.org"


def test_a_reviewer_who_lost_their_phone_logs_in_with_a_saved_backup_code(page):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from surveys.models import User
    from tests.factories import UserFactory

    UserFactory(email="reviewer@example.org", staff_role=User.StaffRole.REVIEWER)

    # Setting up the authenticator app shows the backup codes, once.
    log_in(page, "Reviewer@Example.org")
    page.wait_for_url("**/two-factor/setup/**")
    device = TOTPDevice.objects.get(user__email="reviewer@example.org", confirmed=False)
    page.get_by_label("Six-digit code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    assert page.get_by_role("heading", name="Save your backup codes").is_visible()
    codes = page.get_by_test_id("backup-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved them, continue").click()
    page.get_by_role("button", name="Log out").click()

    # Next day, no phone: the code prompt offers a backup code instead.
    log_in(page, "reviewer@example.org")
    page.wait_for_url("**/two-factor/verify/**")
    page.get_by_role("link", name="Use a backup code").click()
    page.get_by_label("Backup code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/review/**")
    assert page.get_by_text("You logged in with a backup code; 9 left.").is_visible()
