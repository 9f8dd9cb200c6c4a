"""A reviewer returns a submission with a comment; the member sees it, fixes the answer and resubmits; approved."""

import pytest

from surveys.models import Membership, Submission
from surveys.services import workflow
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    SubmissionFactory,
    UserFactory,
    answer_create,
    review_questionnaire,
)

from .conftest import log_in, log_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_return_with_a_comment_fix_resubmit_and_approve(page, browser, live_server):
    cycle = review_questionnaire(2026)
    organization = OrganizationFactory(name="Harbour Messaging")
    lead = MembershipFactory(
        organization=organization, role=Membership.Role.LEAD, user__email="lead@harbour.example"
    ).user
    submission = SubmissionFactory(organization=organization, cycle=cycle)
    answer_create(submission, "image_hashing", ["photodna", "pdq"])
    answer_create(submission, "supplemental_reports", True)
    answer_create(submission, "authority_reporting", "api_only")
    workflow.submission_submit(submission=submission, actor=lead)
    reviewer = UserFactory(
        staff_role="reviewer", email="rita@coalition.example", first_name="Rita", last_name="Reviewer"
    )
    review_path = f"/review/{submission.pk}/"

    # The reviewer comments on one question and returns the submission.
    log_in_staff(page, reviewer, review_path)
    row = page.locator("tr[data-question=image_hashing]")
    row.get_by_text("Comment on this answer").click()
    row.get_by_label("Comment on image_hashing").fill("Do you really use PDQ?")
    row.get_by_role("button", name="Save comment").click()
    page.get_by_label("What should the member change?").fill("Please check the hashing answer.")
    page.get_by_role("button", name="Return with comments").click()
    assert page.get_by_test_id("status").inner_text() == "Returned with comments"

    # The member sees the comment, replies, fixes the answer and resubmits.
    member_context = browser.new_context(base_url=live_server.url)
    member = member_context.new_page()
    log_in(member, lead.email)
    member.wait_for_url(f"**/orgs/{organization.slug}/")
    member.goto(f"/orgs/{organization.slug}/submissions/{submission.pk}/comments/")
    assert member.get_by_text("Do you really use PDQ?").is_visible()
    member.get_by_label("Reply to this comment").fill("No, we stopped in March.")
    member.get_by_role("button", name="Send reply").click()
    assert member.get_by_text("No, we stopped in March.").is_visible()
    member.goto(f"/orgs/{organization.slug}/survey/2026/{cycle.sections.get().code}/")
    member.get_by_label("Pdq").uncheck()
    member.get_by_role("button", name="Save", exact=True).click()
    member.goto(f"/orgs/{organization.slug}/survey/2026/review/")
    member.get_by_role("button", name="Submit the 2026 survey").click()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    member_context.close()

    # The reviewer sees what changed since the return, and approves.
    page.goto(review_path)
    assert page.get_by_test_id("changed-since-return").is_visible()
    assert page.locator(".review-reply").get_by_text("No, we stopped in March.").is_visible()
    assert page.locator("tr[data-question=image_hashing] .review-value").inner_text().strip() == "Photodna"
    page.get_by_role("button", name="Approve submission").click()
    assert page.get_by_test_id("status").inner_text() == "Approved"
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    assert not submission.comments.filter(resolved_at__isnull=True).exists()


def test_a_rejection_without_a_note_keeps_the_edited_title_then_succeeds(page, live_server):
    from surveys.models import MilepostProposal

    cycle = review_questionnaire(2026)
    submission = SubmissionFactory(organization=OrganizationFactory(name="Harbour Messaging"), cycle=cycle)
    proposal = MilepostProposal.objects.create(
        submission=submission, area="response", title="Survivor support", description="A helpline."
    )
    reviewer = UserFactory(staff_role="reviewer", email="rita@coalition.example")
    log_in_staff(page, reviewer, f"/review/{submission.pk}/")

    page.get_by_label("Title in the catalogue (if accepted)").fill("Support for survivors")
    page.get_by_role("button", name="Reject").click()
    assert page.get_by_text("Say why the proposal is rejected; the member will read it.").is_visible()
    assert page.get_by_test_id("unsent").get_by_text("Title: Support for survivors").is_visible()
    assert page.get_by_label("Title in the catalogue (if accepted)").input_value() == "Support for survivors"

    page.get_by_label("Note to the member (required to reject)").fill("Covered by an existing milepost.")
    page.get_by_role("button", name="Reject").click()
    assert page.get_by_text("Proposal rejected; the member can read your note.").is_visible()
    proposal.refresh_from_db()
    assert proposal.status == MilepostProposal.Status.REJECTED
    assert proposal.decision_note == "Covered by an existing milepost."
