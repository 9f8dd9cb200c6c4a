"""The review workflow: one table of allowed transitions and one guarded service per verb."""

from django.db import transaction
from django.utils import timezone

from ..models import AuditEvent, Membership, Submission, User
from ..signals import submission_approval_changed

Status = Submission.Status

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.RETURNED, Status.APPROVED},
    Status.RETURNED: {Status.SUBMITTED},
    Status.APPROVED: {Status.REOPENED},
    Status.REOPENED: {Status.SUBMITTED},
}


class TransitionError(Exception):
    """A transition that the workflow does not allow, or that this person may not make; says why."""


def ensure_transition(submission: Submission, *, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS.get(submission.status, set()):
        raise TransitionError(
            f"This submission is {submission.get_status_display().lower()}, so it cannot be "
            f"{Status(to).label.lower()}. Reload the page to see its current state."
        )


def _lock(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("cycle", "organization").get(pk=submission.pk)


def _record_transition(submission: Submission, *, from_status: str, actor: User | None, note: str) -> None:
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.TRANSITION,
        submission=submission,
        organization=submission.organization,
        actor=actor,
        old_value=from_status,
        new_value=submission.status,
        note=note,
    )


def _move(submission: Submission, *, to: str, actor: User | None, note: str = "") -> Submission:
    """Lock the row, check the table, change the state and append a history row."""
    submission = _lock(submission)
    ensure_transition(submission, to=to)
    from_status = submission.status
    submission.status = to
    now = timezone.now()
    if to == Status.SUBMITTED:
        submission.submitted_at = now
    if to == Status.APPROVED:
        submission.approved_at = now
    submission.updated_at = now
    submission.save(update_fields=["status", "submitted_at", "approved_at", "updated_at"])
    _record_transition(submission, from_status=from_status, actor=actor, note=note)
    return submission


def _announce_approval_change(submission: Submission) -> None:
    year, submission_id = submission.cycle.year, submission.pk
    transaction.on_commit(
        lambda: submission_approval_changed.send(sender=Submission, year=year, submission_ids=[submission_id])
    )


@transaction.atomic
def submission_submit(*, submission: Submission, actor: User, note: str = "") -> Submission:
    """A lead submits their organisation's answers for review; refused while required answers are missing."""
    from ..selectors import submission_missing_required

    membership = Membership.objects.filter(user=actor, organization_id=submission.organization_id).first()
    if membership is None or not membership.can_submit:
        raise TransitionError("Only your organisation's lead can submit. Ask them to review and submit.")
    missing = submission_missing_required(submission=submission)
    if missing:
        raise TransitionError(
            f"{len(missing)} required question{'s are' if len(missing) != 1 else ' is'} not answered yet. "
            "Answer them, then submit."
        )
    return _move(submission, to=Status.SUBMITTED, actor=actor, note=note)


@transaction.atomic
def submission_return(*, submission: Submission, reviewer: User, note: str) -> Submission:
    """A reviewer sends a submission back to the member with comments; it becomes editable again."""
    if not reviewer.is_reviewer:
        raise TransitionError("Only coalition reviewers can return a submission.")
    if not note.strip():
        raise TransitionError("Say what the member should change: a note is required to return a submission.")
    return _move(submission, to=Status.RETURNED, actor=reviewer, note=note)


@transaction.atomic
def submission_approve(*, submission: Submission, reviewer: User | None, note: str = "") -> Submission:
    """Approve a submitted survey; indicators for its year are recomputed after commit."""
    if reviewer is not None and not reviewer.is_reviewer:
        raise TransitionError("Only coalition reviewers can approve a submission.")
    submission = _move(submission, to=Status.APPROVED, actor=reviewer, note=note)
    _announce_approval_change(submission)
    return submission


@transaction.atomic
def submission_reopen(*, submission: Submission, administrator: User, reason: str) -> Submission:
    """An administrator reopens an approved submission with a written reason; its year is recomputed."""
    if not administrator.is_administrator:
        raise TransitionError("Only coalition administrators can reopen an approved submission.")
    if not reason.strip():
        raise TransitionError("Write why the submission is reopened: a reason is required.")
    submission = _move(submission, to=Status.REOPENED, actor=administrator, note=reason)
    _announce_approval_change(submission)
    return submission
