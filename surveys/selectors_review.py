"""Reads behind the review queue and the review page (participation and the audit log: selectors_staff.py).

Every function runs a fixed number of queries, whatever the number of organisations or questions.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet

from .conditions import answer_value, display_value, visible_codes
from .models import (
    Answer,
    AuditEvent,
    MilepostProposal,
    Organization,
    Question,
    Submission,
    SubmissionMilepost,
)
from .selectors import submission_comments

Status = Submission.Status


# --- Review queue ---------------------------------------------------------------------------------------


def review_queue(
    *, status: str = "", year: int | None = None, organization: Organization | None = None, search: str = ""
) -> QuerySet:
    """Submissions for the queue, oldest first (by submission, then creation)."""
    submissions = Submission.objects.select_related("organization", "cycle")
    if status:
        submissions = submissions.filter(status=status)
    if year:
        submissions = submissions.filter(cycle__year=year)
    if organization is not None:
        submissions = submissions.filter(organization=organization)
    if search:
        submissions = submissions.filter(organization__name__icontains=search.strip())
    return submissions.order_by("submitted_at", "created_at", "id")


def review_counts(*, year: int | None = None) -> dict[str, int]:
    """Number of submissions per status (every status present, zero when none), for the queue's header."""
    submissions = Submission.objects.all()
    if year:
        submissions = submissions.filter(cycle__year=year)
    counts = dict.fromkeys(Status.values, 0)
    for row in submissions.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


# --- Review page ----------------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    """One question of the review page: this year's answer beside last year's, and what changed."""

    question: Question
    value: Any
    display: str
    visible: bool
    answered: bool
    provenance: str
    previous: Any = None
    previous_display: str = ""
    change: str = ""  # "new", "changed", "confirmed" (same as last year) or "" (not answered)
    changed_since_return: bool = False
    comments: list = field(default_factory=list)
    # Carried forward from last year and never confirmed or changed by the member.
    unconfirmed: bool = False


def _values_by_question_code(submission_id: int) -> dict[str, Any]:
    answers = (
        Answer.objects.filter(submission_id=submission_id)
        .select_related("question")
        .prefetch_related("options")
    )
    return {a.question.code: answer_value(a, a.question) for a in answers}


def previous_submission(submission: Submission) -> Submission | None:
    """The organisation's submission in the latest earlier cycle."""
    return (
        Submission.objects.filter(
            organization_id=submission.organization_id, cycle__year__lt=submission.cycle.year
        )
        .select_related("cycle")
        .order_by("-cycle__year")
        .first()
    )


def _last_returned_at(submission: Submission) -> datetime | None:
    return (
        AuditEvent.objects.filter(
            submission=submission, kind=AuditEvent.Kind.TRANSITION, new_value=Status.RETURNED
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def submission_review(*, submission_id: int) -> dict:
    """Everything the review page shows for one submission, in a fixed number of queries."""
    submission = Submission.objects.select_related("organization", "cycle", "last_edited_by").get(
        pk=submission_id
    )
    questions = list(
        Question.objects.filter(cycle_id=submission.cycle_id)
        .select_related("section", "condition_question")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
    answers = {
        a.question_id: a for a in Answer.objects.filter(submission=submission).prefetch_related("options")
    }
    by_id = {q.id: q for q in questions}
    values = {by_id[qid].code: answer_value(a, by_id[qid]) for qid, a in answers.items() if qid in by_id}
    visible = visible_codes(questions, values)

    previous = previous_submission(submission)
    previous_values = _values_by_question_code(previous.pk) if previous else {}
    previous_mileposts = (
        set(SubmissionMilepost.objects.filter(submission=previous).values_list("milepost__code", flat=True))
        if previous
        else set()
    )

    returned_at = _last_returned_at(submission)
    changed_codes: set[str] = set()
    if returned_at is not None:
        changed_codes = set(
            AuditEvent.objects.filter(
                submission=submission,
                kind__in=[AuditEvent.Kind.ANSWER_CHANGED, AuditEvent.Kind.MILEPOST_CHANGED],
                created_at__gt=returned_at,
            ).values_list("subject", flat=True)
        )

    comments = submission_comments(submission=submission, include_unsent=True)
    comments_by_question: dict[int, list] = {}
    comments_by_milepost: dict[int, list] = {}
    general_comments = []
    for comment in comments:
        if comment.question_id:
            comments_by_question.setdefault(comment.question_id, []).append(comment)
        elif comment.milepost_id:
            comments_by_milepost.setdefault(comment.milepost_id, []).append(comment)
        else:
            general_comments.append(comment)

    sections: list[dict] = []
    for question in questions:
        answer = answers.get(question.id)
        value = values.get(question.code)
        answered = value not in (None, "", [])
        previous_value = previous_values.get(question.code)
        if not answered:
            change = ""
        elif previous is None or previous_value in (None, "", []):
            change = "new"
        elif previous_value == value:
            change = "confirmed"
        else:
            change = "changed"
        row = ReviewRow(
            question=question,
            value=value,
            display=display_value(question, value),
            visible=question.code in visible,
            answered=answered,
            provenance=answer.get_provenance_display() if answer else "",
            previous=previous_value,
            previous_display=display_value(question, previous_value),
            change=change,
            changed_since_return=question.code in changed_codes,
            comments=comments_by_question.get(question.id, []),
            unconfirmed=answer is not None and answer.provenance == Answer.Provenance.CARRIED,
        )
        if not sections or sections[-1]["section"].id != question.section_id:
            sections.append({"section": question.section, "rows": []})
        sections[-1]["rows"].append(row)

    mileposts = []
    for advanced in SubmissionMilepost.objects.filter(submission=submission).select_related("milepost"):
        code = advanced.milepost.code
        mileposts.append(
            {
                "advanced": advanced,
                "milepost": advanced.milepost,
                "change": "confirmed" if code in previous_mileposts else "new",
                "changed_since_return": code in changed_codes,
                "comments": comments_by_milepost.get(advanced.milepost_id, []),
            }
        )

    history = list(
        AuditEvent.objects.filter(submission=submission)
        .select_related("actor")
        .order_by("-created_at", "-id")[:200]
    )
    proposals = list(
        MilepostProposal.objects.filter(submission=submission).select_related("proposed_by", "milepost")
    )
    return {
        "submission": submission,
        "previous": previous,
        "sections": sections,
        "mileposts": mileposts,
        "general_comments": general_comments,
        "open_comment_count": sum(1 for c in comments if c.resolved_at is None),
        "changed_since_return": sorted(changed_codes),
        "returned_at": returned_at,
        "history": history,
        "proposals": proposals,
    }


def pending_proposals() -> QuerySet:
    return MilepostProposal.objects.filter(status=MilepostProposal.Status.PENDING).select_related(
        "submission__organization", "submission__cycle"
    )
