"""Member journeys around the survey: the return loop, the submit confirmation for answers carried from last
year, the error summary with focus; and the staff reminders page. axe-core checks each page on the way."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from surveys.models import Membership, Question, ReminderSent, Submission
from surveys.services import workflow
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    SubmissionFactory,
    UserFactory,
    answer_create,
    review_questionnaire,
)

from .conftest import axe_violations, log_in, log_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _lead(organization_name="Harbour Messaging"):
    organization = OrganizationFactory(name=organization_name)
    lead = MembershipFactory(
        organization=organization, role=Membership.Role.LEAD, user__email="lead@harbour.example"
    ).user
    return organization, lead


def test_a_returned_survey_shows_the_note_and_comments_until_each_is_answered(page):
    cycle = review_questionnaire(2026)
    organization, lead = _lead()
    submission = SubmissionFactory(organization=organization, cycle=cycle)
    answer_create(submission, "image_hashing", ["photodna", "pdq"])
    answer_create(submission, "supplemental_reports", False)
    answer_create(submission, "authority_reporting", "api_only")
    workflow.submission_submit(submission=submission, actor=lead)
    reviewer = UserFactory(staff_role="reviewer", first_name="Rita", last_name="Reviewer")
    for code, body in (("image_hashing", "Do you really use PDQ?"), ("supplemental_reports", "Really none?")):
        question = Question.objects.get(cycle=cycle, code=code)
        workflow.comment_add(submission=submission, author=reviewer, body=body, question=question)
    workflow.submission_return(
        submission=submission, reviewer=reviewer, note="Two answers need a second look."
    )

    log_in(page, lead.email)
    page.wait_for_url(f"**/orgs/{organization.slug}/")
    summary = page.get_by_test_id("return-summary")
    assert summary.get_by_role("heading").inner_text() == "Returned: 2 comments to address"
    assert summary.get_by_text("Two answers need a second look.").is_visible()
    assert axe_violations(page) == []

    # The link leads to the question; the member fixes the answer there.
    summary.get_by_role("link", name="Which image hashing?").click()
    page.wait_for_url("**/survey/2026/detection/#q-image_hashing")
    page.locator("#q-image_hashing").get_by_label("Pdq").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text("Saved “Detection”.").is_visible()

    # …and replies to the other comment on the review page.
    page.goto(f"/orgs/{organization.slug}/survey/2026/review/")
    summary = page.get_by_test_id("return-summary")
    assert summary.get_by_role("heading").inner_text() == "Returned: 1 comment to address"
    assert summary.get_by_text("Addressed: answer changed").is_visible()
    assert axe_violations(page) == []
    summary.get_by_role("link", name="Read and reply to all comments").click()
    thread = page.locator(f"#comment-{submission.comments.get(body='Really none?').pk}")
    thread.get_by_label("Reply to this comment").fill("Yes: we found nothing to report.")
    thread.get_by_role("button", name="Send reply").click()
    assert page.get_by_text("Reply sent to the coalition's reviewers.").is_visible()

    page.goto(f"/orgs/{organization.slug}/")
    summary = page.get_by_test_id("return-summary")
    assert summary.get_by_role("heading").inner_text() == "Returned: every comment addressed"
    assert summary.get_by_text("Addressed: you replied").is_visible()
    summary.get_by_role("link", name="submit the survey again").click()
    page.get_by_role("button", name="Submit the 2026 survey").click()
    assert page.get_by_text("your 2026 survey is submitted").is_visible()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_submitting_with_unconfirmed_answers_from_last_year_needs_a_confirmation(page):
    cycle = review_questionnaire(2026)
    organization, lead = _lead()
    submission = SubmissionFactory(organization=organization, cycle=cycle)
    answer_create(submission, "image_hashing", ["photodna"], provenance="carried")
    answer_create(submission, "supplemental_reports", True, provenance="carried")
    answer_create(submission, "authority_reporting", "api_only")

    log_in(page, lead.email)
    page.goto(f"/orgs/{organization.slug}/survey/2026/review/")
    warning = page.get_by_test_id("unconfirmed-warning")
    assert warning.get_by_role("heading").inner_text() == (
        "2 answers carried forward from last year have not been confirmed"
    )
    assert warning.get_by_role("link", name="Which image hashing?").is_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Submit the 2026 survey").click()
    assert page.get_by_text(
        "2 answers carried forward from last year have not been confirmed. Check them"
    ).is_visible()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT

    page.get_by_label("I have checked the 2 answers from last year listed above").check()
    page.get_by_role("button", name="Submit the 2026 survey").click()
    assert page.get_by_text("your 2026 survey is submitted").is_visible()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert set(submission.answers.values_list("provenance", flat=True)) == {"confirmed", "new"}


def test_an_error_summary_takes_focus_and_links_to_the_field(page):
    review_questionnaire(2026)
    organization, lead = _lead()

    log_in(page, lead.email)
    page.goto(f"/orgs/{organization.slug}/survey/2026/detection/")
    assert axe_violations(page) == []
    page.get_by_label("Staff?").fill("about forty")
    page.get_by_role("button", name="Save", exact=True).click()

    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert axe_violations(page) == []
    summary.get_by_role("link", name="Staff?: Enter a whole number between 0 and 1000").click()
    assert page.evaluate("document.activeElement.id") == "id_trust_safety_staff"
    assert page.get_by_label("Staff?").input_value() == "about forty"


def test_staff_see_whom_the_reminders_go_to_and_an_administrator_sends_them_now(page):
    today = timezone.localdate()
    review_questionnaire(
        2026, opens_on=today - datetime.timedelta(days=20), closes_on=today + datetime.timedelta(days=7)
    )
    organization, lead = _lead("Late Co")
    administrator = UserFactory(staff_role="administrator", email="ada@coalition.example")
    log_in_staff(page, administrator, "/staff/reminders/")

    assert page.get_by_test_id("status-2026-7").inner_text() == "Due today"
    assert page.get_by_test_id("status-2026-1").inner_text() == "Upcoming"
    row = page.locator("tr[data-reminder='7']")
    row.get_by_text("Goes to 1 person in 1 organisation").click()
    assert row.get_by_text("Late Co").is_visible() and row.get_by_text("lead@harbour.example").is_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Send today's reminders now").click()
    assert page.get_by_text("Sent today's reminder to 1 organisation.").is_visible()
    assert page.get_by_test_id("status-2026-7").inner_text() == "Due today"
    assert page.locator("tr[data-reminder='7']").get_by_text("Sent to 1 organisation.").is_visible()
    assert ReminderSent.objects.filter(organization=organization, days_before=7).exists()
    assert [m.to for m in mail.outbox] == [[lead.email]]
