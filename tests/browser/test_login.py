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
