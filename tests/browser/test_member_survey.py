"""A lead does the year's reporting in the browser: two sections, a validation error, two mileposts, submit."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import Answer, Membership, Submission
from surveys.services.questionnaires import milepost_catalogue_load, questionnaire_load
from tests.factories import QUESTIONNAIRES, MembershipFactory, OrganizationFactory, answer_everything

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_answers_sections_fixes_an_error_adds_mileposts_and_submits(page):
    today = timezone.localdate()
    milepost_catalogue_load(path_or_data=QUESTIONNAIRES / "mileposts.yaml")
    questionnaire_load(
        path_or_data=QUESTIONNAIRES / "2025.yaml",
        cycle_opens_on=today - datetime.timedelta(days=5),
        cycle_closes_on=today + datetime.timedelta(days=20),
    )
    organization = OrganizationFactory(name="Harbour Messaging")
    MembershipFactory(organization=organization, role=Membership.Role.LEAD, user__email="lead@example.org")

    log_in(page, "lead@example.org")
    page.get_by_role("link", name="Start the survey").click()
    assert page.get_by_role("heading", level=1).inner_text() == "About your services"

    # Profile: a typo in a number is kept and explained, the rest is saved.
    profile = page.locator("form[data-survey-form]")
    page.locator("#q-service_types").get_by_label("Online gaming or game platform").check()
    page.locator("#q-company_size_band").get_by_label("50 to 249").check()
    page.locator("#id_trust_safety_staff").fill("about forty")
    assert page.locator("#q-minimum_age").is_hidden()
    page.locator("#q-minors_allowed").get_by_label("Yes").check()
    assert page.locator("#q-minimum_age").is_visible()  # shown as soon as minors are allowed, before saving
    page.locator("#id_minimum_age").fill("13")
    page.locator("#q-messaging_encryption").get_by_label("We do not offer messaging").check()
    profile.get_by_role("button", name="Save", exact=True).click()

    assert page.get_by_text("Enter a whole number between 0 and 100000", exact=True).is_visible()
    assert page.locator("#id_trust_safety_staff").input_value() == "about forty"
    assert page.locator("#q-service_types").get_by_label("Online gaming or game platform").is_checked()
    assert Answer.objects.get(question__code="minimum_age").value_int == 13

    page.locator("#id_trust_safety_staff").fill("40")
    page.get_by_role("button", name="Save and continue").click()

    # Prevention.
    assert page.get_by_role("heading", level=1).inner_text() == "Prevention"
    page.locator("#q-safety_by_design").get_by_label("Formal safety reviews of new products").check()
    page.locator("#q-deterrence").get_by_label("None of these").check()
    page.locator("#q-age_assurance").get_by_label("Self-declaration").check()
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Detection"

    # A colleague answers the other sections.
    submission = Submission.objects.get(organization=organization)
    for code in ("detection", "response", "transparency"):
        answer_everything(submission, only_section=code)

    # Mileposts: two, each with what was done.
    page.get_by_role("link", name="Mileposts").first.click()
    page.get_by_label("Introduce safety-by-design reviews for new features").check()
    page.locator("#id_description_sbd_review_process").fill("Every launch now has a child safety review.")
    page.get_by_label("Apply protective default settings for younger users").check()
    page.get_by_role("button", name="Save and review").click()
    assert page.get_by_text(
        "Describe in a sentence or two what you did for this milepost", exact=True
    ).is_visible()
    page.locator("#id_description_protective_defaults_minors").fill("Teen accounts are private by default.")
    page.get_by_role("button", name="Save and review").click()

    # Review and submit.
    assert page.get_by_role("heading", name="Mileposts advanced (2)").is_visible()
    assert page.get_by_text("required answer").count() == 0
    page.get_by_role("button", name="Submit the 2025 survey").click()
    assert page.get_by_text("your 2025 survey is submitted").is_visible()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.mileposts.count() == 2
