"""A member answers a percentage question in the browser; the question that depends on it appears at 100."""

import pytest

from surveys.models import Answer, Membership
from tests.factories import MembershipFactory, OrganizationFactory
from tests.surveys.test_answer_types import percentage_questionnaire_load

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_answers_a_percentage_and_its_follow_up_appears_at_100(page):
    percentage_questionnaire_load(closes_in_days=20)
    organization = OrganizationFactory(name="Harbour Messaging")
    MembershipFactory(organization=organization, role=Membership.Role.LEAD, user__email="lead@example.org")

    log_in(page, "lead@example.org")
    page.get_by_role("link", name="Start the survey").click()
    share = page.get_by_label("What share of user reports did you action within 24 hours?")
    follow_up = page.locator("#q-how_all_reports")

    share.fill("150")
    assert follow_up.is_hidden()
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text("Enter a whole percentage between 0 and 100", exact=True).is_visible()
    assert share.input_value() == "150"

    share.fill("100 %")
    assert follow_up.is_visible()  # shown while typing, before saving
    page.get_by_role("button", name="Save", exact=True).click()
    assert Answer.objects.get(question__code="reports_actioned_in_24h").value_int == 100
    assert (
        page.get_by_label("What share of user reports did you action within 24 hours?").input_value() == "100"
    )
