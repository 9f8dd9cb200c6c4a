"""The review workflow: every transition allowed and refused, comments, proposals, e-mails, races."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from surveys import selectors
from surveys.models import AuditEvent, Membership, MilepostProposal, ReviewComment, Submission
from surveys.services import workflow
from surveys.signals import submission_approval_changed
from tests.factories import (
    MembershipFactory,
    MilepostFactory,
    OrganizationFactory,
    SubmissionFactory,
    UserFactory,
    answer_create,
    review_questionnaire,
)

pytestmark = pytest.mark.django_db
Status = Submission.Status


@pytest.fixture
def cycle():
    return review_questionnaire(2026)


@pytest.fixture
def submission(cycle, org_a, lead_a):
    submission = SubmissionFactory(organization=org_a, cycle=cycle)
    answer_create(submission, "image_hashing", ["photodna"])
    answer_create(submission, "supplemental_reports", True)
    answer_create(submission, "authority_reporting", "api_only")
    return submission


def _in(submission, status):
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()
    return submission


# Every transition allowed and refused, by whom: tests/surveys/test_transition_rules.py (a literal table
# written from the guides, never derived from ALLOWED_TRANSITIONS).


def test_the_full_cycle_records_who_when_from_to_and_note(submission, lead_a, reviewer, administrator):
    workflow.submission_submit(submission=submission, actor=lead_a, note="Here you go")
    workflow.submission_return(submission=submission, reviewer=reviewer, note="Check hashing")
    workflow.submission_submit(submission=submission, actor=lead_a)
    workflow.submission_approve(submission=submission, reviewer=reviewer, note="Thanks")
    workflow.submission_reopen(submission=submission, administrator=administrator, reason="Wrong number")
    events = list(
        AuditEvent.objects.filter(submission=submission, kind=AuditEvent.Kind.TRANSITION).order_by(
            "created_at", "id"
        )
    )
    assert [(e.old_value, e.new_value, e.actor, e.note) for e in events] == [
        ("draft", "submitted", lead_a, "Here you go"),
        ("submitted", "returned", reviewer, "Check hashing"),
        ("returned", "submitted", lead_a, ""),
        ("submitted", "approved", reviewer, "Thanks"),
        ("approved", "reopened", administrator, "Wrong number"),
    ]
    assert all(e.created_at for e in events)


def test_a_contributor_cannot_submit(submission, contributor_a):
    with pytest.raises(workflow.TransitionError, match="lead"):
        workflow.submission_submit(submission=submission, actor=contributor_a)


def test_submitting_with_missing_required_answers_is_refused(cycle, org_a, lead_a):
    submission = SubmissionFactory(organization=org_a, cycle=cycle)
    with pytest.raises(workflow.TransitionError, match="required questions are not answered"):
        workflow.submission_submit(submission=submission, actor=lead_a)


def test_members_cannot_return_or_approve_and_reviewers_cannot_reopen(submission, lead_a, reviewer):
    _in(submission, Status.SUBMITTED)
    with pytest.raises(workflow.TransitionError, match="reviewers"):
        workflow.submission_return(submission=submission, reviewer=lead_a, note="x")
    with pytest.raises(workflow.TransitionError, match="reviewers"):
        workflow.submission_approve(submission=submission, reviewer=lead_a)
    _in(submission, Status.APPROVED)
    with pytest.raises(workflow.TransitionError, match="administrators"):
        workflow.submission_reopen(submission=submission, administrator=reviewer, reason="x")


def test_return_needs_a_note_and_reopen_a_reason(submission, reviewer, administrator):
    _in(submission, Status.SUBMITTED)
    with pytest.raises(workflow.TransitionError, match="note is required"):
        workflow.submission_return(submission=submission, reviewer=reviewer, note="  ")
    _in(submission, Status.APPROVED)
    with pytest.raises(workflow.TransitionError, match="reason is required"):
        workflow.submission_reopen(submission=submission, administrator=administrator, reason="")


def test_a_stale_action_names_who_acted_first(submission, reviewer):
    other = UserFactory(staff_role="reviewer", first_name="Olga", last_name="Other")
    _in(submission, Status.SUBMITTED)
    workflow.submission_return(submission=submission, reviewer=other, note="Fix it")
    with pytest.raises(workflow.TransitionError, match="Olga Other returned this submission") as caught:
        workflow.submission_approve(
            submission=submission, reviewer=reviewer, expected_status=Status.SUBMITTED
        )
    assert "reload the page" in str(caught.value).lower()
    submission.refresh_from_db()
    assert submission.status == Status.RETURNED


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_only_one_wins(cycle, org_a):
    submission = SubmissionFactory(organization=org_a, cycle=cycle, status=Status.SUBMITTED)
    first = UserFactory(staff_role="reviewer", first_name="First", last_name="Reviewer")
    second = UserFactory(staff_role="reviewer")
    locked, outcome = threading.Event(), {}

    def first_reviewer_returns():
        try:
            with transaction.atomic():
                workflow.submission_return(
                    submission=submission, reviewer=first, note="Please fix", expected_status=Status.SUBMITTED
                )
                locked.set()
                # Hold the row lock while the second reviewer tries to approve.
                threading.Event().wait(0.5)
        finally:
            locked.set()
            connection.close()

    def second_reviewer_approves():
        locked.wait(5)
        try:
            workflow.submission_approve(
                submission=submission, reviewer=second, expected_status=Status.SUBMITTED
            )
            outcome["second"] = "approved"
        except workflow.TransitionError as error:
            outcome["second"] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=first_reviewer_returns),
        threading.Thread(target=second_reviewer_approves),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    submission.refresh_from_db()
    assert submission.status == Status.RETURNED
    assert "First Reviewer returned this submission" in outcome["second"]
    assert AuditEvent.objects.filter(submission=submission, kind=AuditEvent.Kind.TRANSITION).count() == 1


def test_approval_signal_is_sent_after_commit_with_year_and_ids(
    submission, reviewer, django_capture_on_commit_callbacks
):
    _in(submission, Status.SUBMITTED)
    received = []

    def receiver(sender, year, submission_ids, **kwargs):
        received.append((year, submission_ids))

    submission_approval_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            workflow.submission_approve(submission=submission, reviewer=reviewer)
            assert received == []
    finally:
        submission_approval_changed.disconnect(receiver)
    assert received == [(2026, [submission.pk])]


def test_bulk_approval_sends_one_signal_per_year(cycle, reviewer, django_capture_on_commit_callbacks):
    other_cycle = review_questionnaire(2025)
    submissions = [
        SubmissionFactory(organization=OrganizationFactory(), cycle=cycle, status=Status.SUBMITTED)
        for _ in range(5)
    ] + [SubmissionFactory(organization=OrganizationFactory(), cycle=other_cycle, status=Status.SUBMITTED)]
    received = []

    def receiver(sender, year, submission_ids, **kwargs):
        received.append((year, sorted(submission_ids)))

    submission_approval_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            workflow.submissions_approve(submissions=submissions, reviewer=reviewer, note="batch")
    finally:
        submission_approval_changed.disconnect(receiver)
    assert received == [(2025, [submissions[-1].pk]), (2026, sorted(s.pk for s in submissions[:5]))]


def test_comments_round_trip_and_are_resolved_on_approval(submission, cycle, lead_a, reviewer, member_b):
    question = cycle.questions.get(code="image_hashing")
    milepost = MilepostFactory()
    _in(submission, Status.SUBMITTED)
    comment = workflow.comment_add(
        submission=submission, author=reviewer, body="Is PDQ missing?", question=question
    )
    workflow.comment_add(submission=submission, author=reviewer, body="Describe it", milepost=milepost)
    # Not sent yet: the member sees comments once the submission is returned.
    assert selectors.submission_comments_by_question(submission=submission) == {}
    workflow.submission_return(submission=submission, reviewer=reviewer, note="See comments")
    by_question = selectors.submission_comments_by_question(submission=submission)
    assert [c.body for c in by_question[question.pk]] == ["Is PDQ missing?"]
    assert [c.body for c in by_question[("milepost", milepost.pk)]] == ["Describe it"]

    reply = workflow.comment_reply(comment=comment, author=lead_a, body="We added PDQ.")
    assert reply.parent == comment and reply.question == question
    with pytest.raises(workflow.CommentError):
        workflow.comment_reply(comment=comment, author=member_b, body="Not my organisation")
    with pytest.raises(workflow.CommentError):
        workflow.comment_add(submission=submission, author=lead_a, body="Members cannot start threads")
    [thread] = selectors.submission_comments_by_question(submission=submission)[question.pk]
    assert [r.body for r in thread.thread_replies] == ["We added PDQ."]

    workflow.submission_submit(submission=submission, actor=lead_a)
    workflow.submission_approve(submission=submission, reviewer=reviewer)
    assert not ReviewComment.objects.filter(submission=submission, resolved_at__isnull=True).exists()
    with pytest.raises(workflow.CommentError, match="resolved"):
        workflow.comment_reply(comment=comment, author=lead_a, body="Late reply")
    assert AuditEvent.objects.filter(submission=submission, kind=AuditEvent.Kind.COMMENT).count() == 3


def test_accepting_a_proposal_adds_it_to_next_years_catalogue(submission, reviewer):
    proposal = MilepostProposal.objects.create(
        submission=submission, area="detection", title="Hash-match live streams", description="Frames."
    )
    milepost = workflow.proposal_accept(proposal=proposal, reviewer=reviewer)
    assert (milepost.title, milepost.area, milepost.introduced_year) == (
        "Hash-match live streams",
        "detection",
        2027,
    )
    proposal.refresh_from_db()
    assert proposal.status == MilepostProposal.Status.ACCEPTED and proposal.milepost == milepost
    with pytest.raises(workflow.ProposalError, match="already accepted"):
        workflow.proposal_reject(proposal=proposal, reviewer=reviewer, note="no")


def test_rejecting_a_proposal_needs_a_note(submission, reviewer, lead_a):
    proposal = MilepostProposal.objects.create(
        submission=submission, area="prevention", title="X", description="Y"
    )
    with pytest.raises(workflow.ProposalError, match="note is required"):
        workflow.proposal_reject(proposal=proposal, reviewer=reviewer, note="")
    with pytest.raises(workflow.ProposalError):
        workflow.proposal_accept(proposal=proposal, reviewer=lead_a)
    workflow.proposal_reject(proposal=proposal, reviewer=reviewer, note="Already covered by another milepost")
    proposal.refresh_from_db()
    assert proposal.status == MilepostProposal.Status.REJECTED


def test_emails_go_to_reviewers_on_submit_and_to_the_team_on_return_and_approval(
    submission, org_a, lead_a, contributor_a, reviewer, django_capture_on_commit_callbacks
):
    MembershipFactory(organization=OrganizationFactory(), role=Membership.Role.LEAD)  # someone else
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submission_submit(submission=submission, actor=lead_a)
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert "Alpha Social" in mail.outbox[0].subject and "/review/" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submission_return(submission=submission, reviewer=reviewer, note="Check hashing")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead_a.email, contributor_a.email])
    assert "returned" in mail.outbox[0].subject and "Check hashing" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submission_submit(submission=submission, actor=lead_a)
        workflow.submission_approve(submission=submission, reviewer=reviewer)
    assert "Resubmitted" in mail.outbox[0].subject
    assert sorted(m.to[0] for m in mail.outbox[1:]) == sorted([lead_a.email, contributor_a.email])
    assert "approved" in mail.outbox[1].subject


def test_no_email_is_sent_when_the_transaction_rolls_back(
    submission, lead_a, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.submission_submit(submission=submission, actor=lead_a)
        raise RuntimeError
    assert callbacks == [] and mail.outbox == []


# --- One completeness rule for every way to "submitted" or "approved" (issue 11, case 2) ----------------


def test_staff_cannot_submit_an_incomplete_submission_on_the_members_behalf(cycle, org_a, reviewer):
    draft = SubmissionFactory(organization=org_a, cycle=cycle)
    answer_create(draft, "supplemental_reports", True)
    with pytest.raises(
        workflow.TransitionError,
        match=r"2 required questions are not answered yet \(image_hashing, authority_reporting\)",
    ):
        workflow.submission_submit_on_behalf(submission=draft, actor=reviewer, note="By e-mail")
    draft.refresh_from_db()
    assert draft.status == Submission.Status.DRAFT


def test_bulk_submit_and_approve_refuses_incomplete_submissions_and_changes_nothing(
    submission, cycle, org_b, reviewer
):
    incomplete = SubmissionFactory(organization=org_b, cycle=cycle)
    with pytest.raises(workflow.TransitionError, match="1 submission is incomplete, e.g. Bravo Games 2026"):
        workflow.submissions_submit_and_approve(
            submission_ids=[submission.pk, incomplete.pk], reviewer=reviewer, note="Imported"
        )
    assert set(Submission.objects.values_list("status", flat=True)) == {Submission.Status.DRAFT}


def test_bulk_submit_and_approve_records_both_transitions_and_sends_one_signal(
    submission, reviewer, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, year, submission_ids, **kwargs):
        received.append((year, submission_ids))

    submission_approval_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            workflow.submissions_submit_and_approve(
                submission_ids=[submission.pk], reviewer=reviewer, note="Imported"
            )
    finally:
        submission_approval_changed.disconnect(receiver)
    assert received == [(2026, [submission.pk])]
    moves = AuditEvent.objects.filter(submission=submission, kind=AuditEvent.Kind.TRANSITION)
    assert sorted((e.old_value, e.new_value) for e in moves) == [
        ("draft", "submitted"),
        ("submitted", "approved"),
    ]
    assert len(mail.outbox) == 1 and "approved" in mail.outbox[0].subject
