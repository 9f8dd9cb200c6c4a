"""What a transition records and says (surveys/services/workflow.py), written out by hand: the timestamps it
sets, the history row with its note, the comments an approval resolves, and the words of a refusal."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import AuditEvent, ReviewComment, Submission
from surveys.services import workflow
from tests.factories import SubmissionFactory, UserFactory, answer_create, review_questionnaire

pytestmark = pytest.mark.django_db
Status = Submission.Status


@pytest.fixture
def submission(org_a):
    submission = SubmissionFactory(organization=org_a, cycle=review_questionnaire(2026))
    answer_create(submission, "image_hashing", ["photodna"])
    answer_create(submission, "supplemental_reports", True)
    answer_create(submission, "authority_reporting", "api_only")
    return submission


@pytest.fixture
def olga():
    return UserFactory(first_name="Olga", last_name="Other", staff_role="reviewer")


def _stamp(event: AuditEvent) -> str:
    return timezone.localtime(event.created_at).strftime("%d %b %Y %H:%M")


def test_submitting_then_approving_sets_each_timestamp_once(submission, lead_a, reviewer):
    assert (submission.submitted_at, submission.approved_at) == (None, None)

    workflow.submission_submit(submission=submission, actor=lead_a)
    submission.refresh_from_db()
    submitted_at = submission.submitted_at
    assert submitted_at is not None and submission.approved_at is None
    assert submission.updated_at == submitted_at

    workflow.submission_approve(submission=submission, reviewer=reviewer)
    submission.refresh_from_db()
    assert submission.submitted_at == submitted_at
    assert submission.approved_at is not None and submission.approved_at > submitted_at
    assert submission.updated_at == submission.approved_at


def test_returning_sets_no_submitted_or_approved_time(submission, lead_a, reviewer):
    workflow.submission_submit(submission=submission, actor=lead_a)
    submission.refresh_from_db()
    submitted_at = submission.submitted_at

    workflow.submission_return(submission=submission, reviewer=reviewer, note="Check the staff number.")

    submission.refresh_from_db()
    assert (submission.status, submission.submitted_at, submission.approved_at) == (
        "returned",
        submitted_at,
        None,
    )
    assert submission.updated_at > submitted_at


def test_the_history_row_keeps_the_note_and_the_organisation(submission, lead_a, reviewer):
    workflow.submission_submit(submission=submission, actor=lead_a, note="Here you are.")
    workflow.submission_return(submission=submission, reviewer=reviewer, note="Check the staff number.")

    rows = AuditEvent.objects.filter(kind=AuditEvent.Kind.TRANSITION).order_by("created_at", "id")
    assert [
        (e.submission_id, e.organization_id, e.old_value, e.new_value, e.actor, e.note) for e in rows
    ] == [
        (submission.pk, submission.organization_id, "draft", "submitted", lead_a, "Here you are."),
        (
            submission.pk,
            submission.organization_id,
            "submitted",
            "returned",
            reviewer,
            "Check the staff number.",
        ),
    ]


def test_approval_resolves_open_comments_at_the_approval_time_and_keeps_earlier_resolutions(
    submission, lead_a, reviewer
):
    earlier = timezone.now() - datetime.timedelta(days=3)
    resolved = ReviewComment.objects.create(
        submission=submission, author=reviewer, body="Old", resolved_at=earlier
    )
    open_comment = ReviewComment.objects.create(submission=submission, author=reviewer, body="Open")
    other = SubmissionFactory(cycle=submission.cycle)
    elsewhere = ReviewComment.objects.create(submission=other, author=reviewer, body="Another organisation")
    workflow.submission_submit(submission=submission, actor=lead_a)

    workflow.submission_approve(submission=submission, reviewer=reviewer)

    submission.refresh_from_db()
    for comment in (resolved, open_comment, elsewhere):
        comment.refresh_from_db()
    assert resolved.resolved_at == earlier
    assert open_comment.resolved_at == submission.approved_at
    assert elsewhere.resolved_at is None


def test_an_approval_by_an_import_has_no_reviewer_but_a_member_cannot_approve(submission, lead_a):
    Submission.objects.filter(pk=submission.pk).update(status=Status.SUBMITTED)

    with pytest.raises(workflow.TransitionError) as refused:
        workflow.submission_approve(submission=submission, reviewer=lead_a)
    assert str(refused.value) == "Only coalition reviewers can approve a submission."
    approved = workflow.submission_approve(submission=submission, reviewer=None, note="Imported")

    assert approved.status == Status.APPROVED
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TRANSITION)
    assert (event.actor, event.note) == (None, "Imported")


def test_a_refusal_names_the_status_the_action_and_who_moved_it_last(submission, lead_a, olga):
    workflow.submission_submit(submission=submission, actor=lead_a)
    workflow.submission_return(submission=submission, reviewer=olga, note="Check it.")
    returned = AuditEvent.objects.get(kind=AuditEvent.Kind.TRANSITION, new_value="returned")

    with pytest.raises(workflow.TransitionError) as refused:
        workflow.submission_approve(submission=submission, reviewer=olga)

    assert str(refused.value) == (
        f"This submission is returned with comments, so it cannot be approved. Olga Other returned it on {_stamp(returned)}. "
        "Reload the page to see its current state."
    )


def test_a_refusal_before_any_transition_says_only_the_status(submission, reviewer):
    with pytest.raises(workflow.TransitionError) as refused:
        workflow.submission_return(submission=submission, reviewer=reviewer, note="Check it.")

    assert str(refused.value) == (
        "This submission is draft, so it cannot be returned. Reload the page to see its current state."
    )


def test_a_refusal_after_an_import_says_an_import_moved_it(submission, administrator):
    workflow.submission_submit_on_behalf(submission=submission, actor=None, note="Imported")
    submitted = AuditEvent.objects.get(kind=AuditEvent.Kind.TRANSITION)

    with pytest.raises(workflow.TransitionError) as refused:
        workflow.submission_reopen(submission=submission, administrator=administrator, reason="Typo.")

    assert str(refused.value) == (
        f"This submission is submitted, so it cannot be reopened. An import submitted it on {_stamp(submitted)}. "
        "Reload the page to see its current state."
    )


def test_an_action_on_the_status_the_person_saw_goes_through(submission, lead_a, reviewer):
    workflow.submission_submit(submission=submission, actor=lead_a)

    approved = workflow.submission_approve(
        submission=submission, reviewer=reviewer, expected_status="submitted"
    )

    assert approved.status == Status.APPROVED


def test_an_action_on_a_status_that_changed_meanwhile_is_refused_and_changes_nothing(
    submission, lead_a, reviewer, olga
):
    workflow.submission_submit(submission=submission, actor=lead_a)
    workflow.submission_return(submission=submission, reviewer=olga, note="Check it.")
    workflow.submission_submit(submission=submission, actor=lead_a)

    # The reviewer saw it "returned" and now approves: it was resubmitted meanwhile, so the click is stale.
    with pytest.raises(workflow.TransitionError) as refused:
        workflow.submission_approve(submission=submission, reviewer=reviewer, expected_status="returned")

    resubmitted = AuditEvent.objects.filter(kind=AuditEvent.Kind.TRANSITION).latest("created_at", "id")
    assert str(refused.value) == (
        f"{lead_a.display_name} submitted this submission at "
        f"{timezone.localtime(resubmitted.created_at):%H:%M} while you were looking at it, so your action was "
        "not applied. It is now submitted: reload the page to see its current state."
    )

    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.TRANSITION).count() == 3


def test_a_refusal_gives_the_time_of_the_last_move_not_the_time_of_the_refusal(submission, olga):
    Submission.objects.filter(pk=submission.pk).update(status=Status.RETURNED)
    moved_at = timezone.make_aware(datetime.datetime(2026, 1, 5, 10, 30))
    AuditEvent.about(
        submission,
        kind=AuditEvent.Kind.TRANSITION,
        actor=olga,
        old="submitted",
        new="returned",
        created_at=moved_at,
    ).save()

    with pytest.raises(workflow.TransitionError) as refused:
        workflow.submission_approve(submission=submission, reviewer=olga)

    assert f"Olga Other returned it on {timezone.localtime(moved_at):%d %b %Y %H:%M}." in str(refused.value)
    assert "05 Jan 2026" in str(refused.value)


def test_the_approval_email_carries_the_reviewers_note(
    submission, lead_a, reviewer, django_capture_on_commit_callbacks
):
    from django.core import mail

    workflow.submission_submit(submission=submission, actor=lead_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submission_approve(
            submission=submission, reviewer=reviewer, note="Clear and complete, thank you."
        )

    assert [message.to for message in mail.outbox] == [[lead_a.email]]
    assert "Note from the reviewer: Clear and complete, thank you." in mail.outbox[0].body
