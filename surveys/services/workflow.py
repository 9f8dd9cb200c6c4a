"""The review workflow: one table of allowed transitions and one guarded service per verb.

Also the review's side writes: per-question comments and replies, milepost proposals, and the e-mails that
follow a transition. Every e-mail and every `submission_approval_changed` signal is sent after commit, so
nobody hears about a change that was rolled back.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ..models import (
    AuditEvent,
    Membership,
    Milepost,
    MilepostProposal,
    Question,
    ReviewComment,
    Submission,
    User,
)
from ..signals import submission_approval_changed
from .bulk import audit_rows_insert

Status = Submission.Status

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.RETURNED, Status.APPROVED},
    Status.RETURNED: {Status.SUBMITTED},
    Status.APPROVED: {Status.REOPENED},
    Status.REOPENED: {Status.SUBMITTED},
}

# Past-tense verbs for messages about a transition someone else made.
_DONE = {
    Status.SUBMITTED: "submitted",
    Status.RETURNED: "returned",
    Status.APPROVED: "approved",
    Status.REOPENED: "reopened",
    Status.DRAFT: "moved back to draft",
}


class TransitionError(Exception):
    """A transition that the workflow does not allow, or that this person may not make; says why."""


class CommentError(Exception):
    """A comment or reply that cannot be added; the message says what to do."""


class ProposalError(Exception):
    """A milepost proposal decision that cannot be made; the message says why."""


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("cycle", "organization")
        .get(pk=submission.pk)
    )


def _last_transition(submission: Submission) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(submission=submission, kind=AuditEvent.Kind.TRANSITION)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def _raced_message(submission: Submission) -> str:
    """Who changed the submission last, for the person whose action lost the race."""
    last = _last_transition(submission)
    if last is None:
        return (
            f"This submission is now {submission.get_status_display().lower()}. "
            "Reload the page to see its current state."
        )
    who = last.actor.display_name if last.actor else "Someone"
    when = timezone.localtime(last.created_at).strftime("%H:%M")
    return (
        f"{who} {_DONE.get(last.new_value, 'changed')} this submission at {when} while you were looking at it, "
        f"so your action was not applied. It is now {submission.get_status_display().lower()}: reload the "
        "page to see its current state."
    )


def _refusal_message(submission: Submission, *, to: str) -> str:
    """Why a transition is refused, and who last changed the submission (often the other reviewer)."""
    message = (
        f"This submission is {submission.get_status_display().lower()}, so it cannot be "
        f"{_DONE.get(to, Status(to).label.lower())}."
    )
    last = _last_transition(submission)
    if last is not None:
        who = last.actor.display_name if last.actor else "An import"
        when = timezone.localtime(last.created_at).strftime("%d %b %Y %H:%M")
        message += f" {who} {_DONE.get(last.new_value, 'changed')} it on {when}."
    return message + " Reload the page to see its current state."


def _record_transition(submission: Submission, *, from_status: str, actor: User | None, note: str) -> None:
    AuditEvent.about(
        submission,
        kind=AuditEvent.Kind.TRANSITION,
        actor=actor,
        old=from_status,
        new=submission.status,
        note=note,
    ).save()


def _move(
    submission: Submission,
    *,
    to: str,
    actor: User | None,
    note: str = "",
    expected_status: str | None = None,
) -> Submission:
    """Lock the row, check the table, change the state and append a history row.

    `expected_status` is the status the person saw when they chose the action: when another transition
    happened meanwhile (two reviewers at once), the row lock makes the second wait, and this check turns the
    stale action into a TransitionError naming who got there first.
    """
    submission = _lock(submission)
    if expected_status is not None and submission.status != expected_status:
        raise TransitionError(_raced_message(submission))
    if to not in ALLOWED_TRANSITIONS.get(submission.status, set()):
        raise TransitionError(_refusal_message(submission, to=to))
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


def _ensure_complete(missing: list[Question], *, ending: str) -> None:
    """The one completeness rule for reaching "submitted" or "approved": no required question unanswered."""
    if missing:
        raise TransitionError(
            f"{len(missing)} required question{'s are' if len(missing) != 1 else ' is'} not answered yet "
            f"({', '.join(q.code for q in missing)}). {ending}"
        )


def _announce_approval_change(submissions: Iterable[Submission]) -> None:
    """After commit, one `submission_approval_changed` signal per year with every submission id."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for submission in submissions:
        by_year[submission.cycle.year].append(submission.pk)

    def send():
        for year, ids in sorted(by_year.items()):
            submission_approval_changed.send(sender=Submission, year=year, submission_ids=ids)

    if by_year:
        transaction.on_commit(send)


# --- E-mails --------------------------------------------------------------------------------------------


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _organization_emails(organization_id: int) -> list[str]:
    return list(
        Membership.objects.filter(organization_id=organization_id, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def _reviewer_emails() -> list[str]:
    return list(
        User.objects.filter(
            is_active=True, staff_role__in=[User.StaffRole.REVIEWER, User.StaffRole.ADMINISTRATOR]
        )
        .order_by("email")
        .values_list("email", flat=True)
    )


def _mail_after_commit(messages: list[tuple[str, str, list[str]]]) -> None:
    """Queue (subject, body, recipients) e-mails, one per recipient so addresses are not shared."""
    datatuples = [
        (subject, body, None, [recipient])
        for subject, body, recipients in messages
        for recipient in recipients
    ]
    if datatuples:
        transaction.on_commit(lambda: send_mass_mail(datatuples, fail_silently=False))


def _mail_context(submission: Submission, **extra) -> dict:
    """What every e-mail to an organisation about its submission can say, and links back to it."""
    return {
        "submission": submission,
        "organization": submission.organization,
        "year": submission.cycle.year,
        "url": _site_url(
            reverse("surveys:organization-detail", kwargs={"org_slug": submission.organization.slug})
        ),
        "comments_url": _site_url(
            reverse(
                "surveys:member-comments",
                kwargs={"org_slug": submission.organization.slug, "submission_id": submission.pk},
            )
        ),
        **extra,
    }


def _mail_organization(submission: Submission, *, template: str, subject: str, extra: dict | None = None):
    recipients = _organization_emails(submission.organization_id)
    context = _mail_context(submission, **(extra or {}))
    _mail_after_commit([(subject, render_to_string(template, context), recipients)])


# --- Transitions ----------------------------------------------------------------------------------------


@transaction.atomic
def submission_submit(*, submission: Submission, actor: User, note: str = "") -> Submission:
    """A lead submits their organisation's answers for review; reviewers are e-mailed after commit.

    Refused while required answers are missing.
    """
    from ..selectors import submission_missing_required

    membership = Membership.objects.filter(user=actor, organization_id=submission.organization_id).first()
    if membership is None or not membership.can_submit:
        raise TransitionError("Only your organisation's lead can submit. Ask them to review and submit.")
    _ensure_complete(submission_missing_required(submission=submission), ending="Answer them, then submit.")
    submission = _move(submission, to=Status.SUBMITTED, actor=actor, note=note)
    _mail_reviewers_submitted(submission)
    return submission


def _mail_reviewers_submitted(submission: Submission) -> None:
    resubmitted = AuditEvent.objects.filter(
        submission=submission, kind=AuditEvent.Kind.TRANSITION, new_value=Status.RETURNED
    ).exists()
    context = {
        "submission": submission,
        "resubmitted": resubmitted,
        "url": _site_url(reverse("surveys:review-submission", kwargs={"submission_id": submission.pk})),
    }
    subject = (
        f"{'Resubmitted' if resubmitted else 'Submitted'} for review: "
        f"{submission.organization.name}, {submission.cycle.year}"
    )
    _mail_after_commit(
        [(subject, render_to_string("emails/submission_submitted.txt", context), _reviewer_emails())]
    )


@transaction.atomic
def submission_return(
    *, submission: Submission, reviewer: User, note: str, expected_status: str | None = None
) -> Submission:
    """A reviewer sends a submission back with comments; it becomes editable and its people are e-mailed."""
    if not reviewer.is_reviewer:
        raise TransitionError("Only coalition reviewers can return a submission.")
    if not note.strip():
        raise TransitionError("Say what the member should change: a note is required to return a submission.")
    submission = _move(
        submission, to=Status.RETURNED, actor=reviewer, note=note, expected_status=expected_status
    )
    open_comments = ReviewComment.objects.filter(
        submission=submission, parent__isnull=True, resolved_at__isnull=True
    ).count()
    _mail_organization(
        submission,
        template="emails/submission_returned.txt",
        subject=f"Your {submission.cycle.year} survey was returned with comments",
        extra={"note": note, "comment_count": open_comments},
    )
    return submission


def _approve(
    submission: Submission,
    *,
    reviewer: User | None,
    note: str,
    expected_status: str | None = None,
    notify: bool = True,
) -> Submission:
    if reviewer is not None and not reviewer.is_reviewer:
        raise TransitionError("Only coalition reviewers can approve a submission.")
    submission = _move(
        submission, to=Status.APPROVED, actor=reviewer, note=note, expected_status=expected_status
    )
    # Approval settles the conversation: every open comment thread is resolved.
    ReviewComment.objects.filter(submission=submission, resolved_at__isnull=True).update(
        resolved_at=submission.approved_at
    )
    if not notify:
        return submission
    _mail_organization(
        submission,
        template="emails/submission_approved.txt",
        subject=f"Your {submission.cycle.year} survey was approved",
        extra={"note": note},
    )
    return submission


@transaction.atomic
def submission_approve(
    *, submission: Submission, reviewer: User | None, note: str = "", expected_status: str | None = None
) -> Submission:
    """Approve a submitted survey, resolving its comments; metrics hears about it after commit."""
    submission = _approve(submission, reviewer=reviewer, note=note, expected_status=expected_status)
    _announce_approval_change([submission])
    return submission


@transaction.atomic
def submissions_approve(
    *, submissions: Iterable[Submission], reviewer: User | None, note: str = "", notify: bool = True
) -> list[Submission]:
    """Approve many submissions in one transaction; one approval signal per year after commit.

    All or nothing: if one cannot be approved, none is. `notify=False` skips the e-mails (demo data).
    """
    approved = [
        _approve(submission, reviewer=reviewer, note=note, notify=notify) for submission in submissions
    ]
    _announce_approval_change(approved)
    return approved


@transaction.atomic
def submission_reopen(
    *, submission: Submission, administrator: User, reason: str, expected_status: str | None = None
) -> Submission:
    """An administrator reopens an approved submission with a written reason; its year is recomputed."""
    if not administrator.is_administrator:
        raise TransitionError("Only coalition administrators can reopen an approved submission.")
    if not reason.strip():
        raise TransitionError("Write why the submission is reopened: a reason is required.")
    submission = _move(
        submission, to=Status.REOPENED, actor=administrator, note=reason, expected_status=expected_status
    )
    _announce_approval_change([submission])
    _mail_organization(
        submission,
        template="emails/submission_reopened.txt",
        subject=f"Your {submission.cycle.year} survey was reopened",
        extra={"note": reason},
    )
    return submission


@transaction.atomic
def submission_submit_on_behalf(*, submission: Submission, actor: User | None, note: str) -> Submission:
    """Staff (or an import) move a draft to submitted for the member, e.g. answers received by e-mail."""
    from ..selectors import submission_missing_required

    if actor is not None and not actor.is_reviewer:
        raise TransitionError("Only coalition staff can submit on a member's behalf.")
    _ensure_complete(
        submission_missing_required(submission=submission),
        ending="Answer them (or ask the member to) before submitting on their behalf.",
    )
    return _move(submission, to=Status.SUBMITTED, actor=actor, note=note)


@transaction.atomic
def submissions_submit_and_approve(
    *, submission_ids: list[int], reviewer: User | None, note: str = ""
) -> list[Submission]:
    """Submit and approve many submissions (an import with --approve) in a few set-based statements.

    All or nothing: each must be in a state that may be submitted and complete. Records both transitions in
    the audit log, resolves open comments, e-mails each organisation and sends one approval signal per year
    after commit.
    """
    from ..selectors import submissions_missing_required

    if reviewer is not None and not reviewer.is_reviewer:
        raise TransitionError("Only coalition reviewers can approve a submission.")
    submissions = list(
        Submission.objects.select_for_update(of=("self",))
        .select_related("cycle", "organization")
        .filter(pk__in=submission_ids)
        .order_by("pk")
    )
    stuck = [s for s in submissions if Status.SUBMITTED not in ALLOWED_TRANSITIONS.get(s.status, set())]
    if stuck:
        raise TransitionError(
            f"{stuck[0].organization.name}'s {stuck[0].cycle.year} submission is "
            f"{stuck[0].get_status_display().lower()}, so it cannot be submitted and approved"
            + (
                f" (nor can {len(stuck) - 1} other{'s' if len(stuck) != 2 else ''})."
                if len(stuck) > 1
                else "."
            )
        )
    incomplete = submissions_missing_required(submission_ids=[s.pk for s in submissions])
    if incomplete:
        first = next(s for s in submissions if s.pk in incomplete)
        raise TransitionError(
            f"{len(incomplete)} submission{'s are' if len(incomplete) != 1 else ' is'} incomplete, e.g. "
            f"{first.organization.name} {first.cycle.year}: {', '.join(incomplete[first.pk])}."
        )
    now = timezone.now()
    ids = [s.pk for s in submissions]
    Submission.objects.filter(pk__in=ids).update(
        status=Status.APPROVED, submitted_at=now, approved_at=now, updated_at=now
    )
    actor_id = reviewer.pk if reviewer else None
    events = []  # rows under bulk.AUDIT_COLUMNS: two transitions each, as the one-at-a-time path records
    for s in submissions:
        transition = (AuditEvent.Kind.TRANSITION, s.pk, s.organization_id, actor_id, "")
        events.append((*transition, s.status, Status.SUBMITTED, note, now))
        events.append((*transition, Status.SUBMITTED, Status.APPROVED, note, now))
        s.status, s.submitted_at, s.approved_at = Status.APPROVED, now, now
    audit_rows_insert(events)
    ReviewComment.objects.filter(submission_id__in=ids, resolved_at__isnull=True).update(resolved_at=now)
    _mail_organizations_approved(submissions, note=note)
    _announce_approval_change(submissions)
    return submissions


def _mail_organizations_approved(submissions: list[Submission], *, note: str) -> None:
    """One approval e-mail per person of each organisation, addresses fetched in one query."""
    emails: dict[int, list[str]] = defaultdict(list)
    for organization_id, email in (
        Membership.objects.filter(
            organization_id__in={s.organization_id for s in submissions}, user__is_active=True
        )
        .order_by("user__email")
        .values_list("organization_id", "user__email")
    ):
        emails[organization_id].append(email)
    messages = []
    for submission in submissions:
        recipients = emails.get(submission.organization_id)
        if not recipients:
            continue
        context = _mail_context(submission, note=note)
        messages.append(
            (
                f"Your {submission.cycle.year} survey was approved",
                render_to_string("emails/submission_approved.txt", context),
                recipients,
            )
        )
    _mail_after_commit(messages)


# --- Comments -------------------------------------------------------------------------------------------


def _record_comment(comment: ReviewComment, *, note: str = "") -> None:
    subject = ""
    if comment.question_id:
        subject = Question.objects.filter(pk=comment.question_id).values_list("code", flat=True).first() or ""
    elif comment.milepost_id:
        subject = Milepost.objects.filter(pk=comment.milepost_id).values_list("code", flat=True).first() or ""
    AuditEvent.about(
        comment.submission,
        kind=AuditEvent.Kind.COMMENT,
        actor=comment.author,
        subject=subject,
        new=comment.body,
        note=note,
    ).save()


@transaction.atomic
def comment_add(
    *,
    submission: Submission,
    author: User,
    body: str,
    question: Question | None = None,
    milepost: Milepost | None = None,
) -> ReviewComment:
    """A reviewer comments on one answer, one milepost or (with neither) the whole submission.

    The member sees it once the submission is returned. Recorded in the audit log.
    """
    if not author.is_reviewer:
        raise CommentError("Only coalition reviewers can comment on a submission; members reply to comments.")
    body = body.strip()
    if not body:
        raise CommentError("Write a comment before saving it.")
    if question is not None and question.cycle_id != submission.cycle_id:
        raise CommentError("That question is not part of this submission's survey.")
    if submission.status == Status.APPROVED:
        raise CommentError("This submission is approved; reopen it before commenting.")
    comment = ReviewComment.objects.create(
        submission=submission, author=author, body=body, question=question, milepost=milepost
    )
    _record_comment(comment)
    return comment


@transaction.atomic
def comment_reply(*, comment: ReviewComment, author: User, body: str) -> ReviewComment:
    """A member of the organisation (or a reviewer) replies to a comment thread; recorded in the audit log."""
    comment = ReviewComment.objects.select_related("submission").get(pk=comment.pk)
    root = comment if comment.parent_id is None else ReviewComment.objects.get(pk=comment.parent_id)
    submission = root.submission
    is_member = Membership.objects.filter(user=author, organization_id=submission.organization_id).exists()
    if not (is_member or author.is_reviewer):
        raise CommentError(
            "Only the organisation's people and coalition reviewers can reply to this comment."
        )
    body = body.strip()
    if not body:
        raise CommentError("Write a reply before sending it.")
    if root.resolved_at is not None:
        raise CommentError("This comment has been resolved, so it no longer takes replies.")
    reply = ReviewComment.objects.create(
        submission=submission,
        author=author,
        body=body,
        question_id=root.question_id,
        milepost_id=root.milepost_id,
        parent=root,
    )
    _record_comment(reply, note="reply")
    return reply


# --- Milepost proposals ---------------------------------------------------------------------------------


def _unique_milepost_code(title: str) -> str:
    base = slugify(title).replace("-", "_")[:70] or "milepost"
    code, n = base, 2
    while Milepost.objects.filter(code=code).exists():
        code, n = f"{base}_{n}", n + 1
    return code


def _lock_pending_proposal(proposal: MilepostProposal) -> MilepostProposal:
    proposal = (
        MilepostProposal.objects.select_for_update(of=("self",))
        .select_related("submission__cycle", "submission__organization")
        .get(pk=proposal.pk)
    )
    if proposal.status != MilepostProposal.Status.PENDING:
        raise ProposalError(
            f"This proposal was already {proposal.get_status_display().lower()}. Reload the page to see it."
        )
    return proposal


def _record_proposal(proposal: MilepostProposal, *, reviewer: User) -> None:
    AuditEvent.about(
        proposal.submission,
        kind=AuditEvent.Kind.MILEPOST_PROPOSAL,
        actor=reviewer,
        subject=proposal.milepost.code if proposal.milepost_id else proposal.title[:120],
        old=MilepostProposal.Status.PENDING,
        new=proposal.status,
        note=proposal.decision_note,
    ).save()


@transaction.atomic
def proposal_accept(
    *, proposal: MilepostProposal, reviewer: User, title: str = "", description: str = "", note: str = ""
) -> Milepost:
    """Accept a member's proposed milepost: it joins the catalogue from the following cycle's year."""
    if not reviewer.is_reviewer:
        raise ProposalError("Only coalition reviewers can decide on proposed mileposts.")
    proposal = _lock_pending_proposal(proposal)
    title = (title or proposal.title).strip()
    milepost = Milepost.objects.create(
        code=_unique_milepost_code(title),
        area=proposal.area,
        title=title,
        description=(description or proposal.description).strip(),
        introduced_year=proposal.submission.cycle.year + 1,
    )
    proposal.status = MilepostProposal.Status.ACCEPTED
    proposal.milepost = milepost
    proposal.decided_by = reviewer
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "milepost", "decided_by", "decided_at", "decision_note"])
    _record_proposal(proposal, reviewer=reviewer)
    return milepost


@transaction.atomic
def proposal_reject(*, proposal: MilepostProposal, reviewer: User, note: str) -> MilepostProposal:
    """Reject a member's proposed milepost with a reason the member can read."""
    if not reviewer.is_reviewer:
        raise ProposalError("Only coalition reviewers can decide on proposed mileposts.")
    if not note.strip():
        raise ProposalError("Say why the proposal is rejected: a note is required.")
    proposal = _lock_pending_proposal(proposal)
    proposal.status = MilepostProposal.Status.REJECTED
    proposal.decided_by = reviewer
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record_proposal(proposal, reviewer=reviewer)
    return proposal
