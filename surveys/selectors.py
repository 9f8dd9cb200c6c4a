"""Non-trivial reads of the surveys app."""

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import (
    Answer,
    AuditEvent,
    Invitation,
    Membership,
    Organization,
    Question,
    Section,
    Submission,
    SurveyCycle,
    User,
)


def organization_overview(*, organization: Organization) -> dict:
    """What an organisation's home page shows: its team and its submissions, newest cycle first."""
    team = Membership.objects.filter(organization=organization).select_related("user").order_by("user__email")
    submissions = (
        Submission.objects.filter(organization=organization).select_related("cycle").order_by("-cycle__year")
    )
    return {"organization": organization, "team": list(team), "submissions": list(submissions)}


def staff_overview() -> dict:
    """Counts for the administrators' overview page."""
    organizations = Organization.objects.aggregate(
        active=Count("id", filter=Q(is_active=True)), total=Count("id")
    )
    return {
        "organizations": organizations,
        "members": User.objects.filter(memberships__isnull=False).distinct().count(),
        "staff": User.objects.exclude(staff_role="").count(),
        "pending_invitations": Invitation.objects.pending().select_related("organization", "invited_by")[:20],
        "pending_invitation_count": Invitation.objects.pending().count(),
        "cycles": SurveyCycle.objects.annotate(
            submission_count=Count("submissions"),
            approved_count=Count("submissions", filter=Q(submissions__status=Submission.Status.APPROVED)),
        ),
    }


def submission_answer_values(*, submission: Submission) -> tuple[list, dict[str, object]]:
    """The cycle's questions in order and the submission's answers as plain values by question code."""
    from .conditions import answer_value
    from .models import Answer, Question

    questions = list(
        Question.objects.filter(cycle_id=submission.cycle_id)
        .select_related("section", "condition_question")
        .order_by("section__position", "position")
    )
    by_id = {question.id: question for question in questions}
    answers = Answer.objects.filter(submission=submission).prefetch_related("options")
    values = {by_id[a.question_id].code: answer_value(a, by_id[a.question_id]) for a in answers}
    return questions, values


def submission_missing_required(*, submission: Submission) -> list:
    """Required questions that are shown (their conditions are met) but not answered, in order."""
    from .conditions import missing_required

    questions, values = submission_answer_values(submission=submission)
    return missing_required(questions, values)


def submissions_missing_required(*, submission_ids: list[int]) -> dict[int, list[str]]:
    """{submission id: codes of required questions shown but unanswered} for the incomplete ones.

    Set-based (five queries whatever the number of submissions), for approving many at once.
    """
    from .conditions import missing_required, plain_value
    from .models import Answer, Option, Question

    cycle_of = dict(Submission.objects.filter(pk__in=submission_ids).values_list("pk", "cycle_id"))
    questions_of: dict[int, list] = {}
    for question in (
        Question.objects.filter(cycle_id__in=set(cycle_of.values()))
        .select_related("condition_question")
        .order_by("section__position", "position")
    ):
        questions_of.setdefault(question.cycle_id, []).append(question)
    by_id = {q.id: q for questions in questions_of.values() for q in questions}
    option_code = dict(Option.objects.filter(question_id__in=by_id).values_list("id", "code"))
    # Plain rows, not model instances: this runs over every answer of thousands of submissions.
    codes_of: dict[int, list[str]] = {}
    for answer_id, option_id in Answer.options.through.objects.filter(
        answer__submission_id__in=submission_ids
    ).values_list("answer_id", "option_id"):
        codes_of.setdefault(answer_id, []).append(option_code[option_id])
    values: dict[int, dict] = {pk: {} for pk in cycle_of}
    for pk, submission_id, question_id, value_bool, value_int, value_text in Answer.objects.filter(
        submission_id__in=submission_ids
    ).values_list("id", "submission_id", "question_id", "value_bool", "value_int", "value_text"):
        question = by_id[question_id]
        values[submission_id][question.code] = plain_value(
            question, value_bool, value_int, value_text, codes_of.get(pk, [])
        )
    incomplete = {}
    for pk, cycle_id in cycle_of.items():
        missing = missing_required(questions_of.get(cycle_id, []), values[pk])
        if missing:
            incomplete[pk] = [q.code for q in missing]
    return incomplete


# --- Review comments (issue 4) --------------------------------------------------------------------------


def submission_comments(*, submission: Submission, include_unsent: bool = False) -> list:
    """Top-level review comments of a submission, oldest first, each with `thread_replies` loaded.

    Members see only comments sent to them, i.e. written before the submission was last returned; staff pass
    `include_unsent=True` to also see comments they are still drafting. Three queries.
    """
    from django.db.models import Prefetch

    from .models import AuditEvent, ReviewComment

    comments = (
        ReviewComment.objects.filter(submission=submission, parent__isnull=True)
        .select_related("author", "question__section", "milepost")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=ReviewComment.objects.select_related("author").order_by("created_at", "id"),
                to_attr="thread_replies",
            )
        )
        .order_by("created_at", "id")
    )
    if not include_unsent:
        last_returned = (
            AuditEvent.objects.filter(
                submission=submission, kind=AuditEvent.Kind.TRANSITION, new_value=Submission.Status.RETURNED
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last_returned is None:
            return []
        comments = comments.filter(created_at__lte=last_returned)
    return list(comments)


def submission_comments_by_question(*, submission: Submission, include_unsent: bool = False) -> dict:
    """{question_id: [ReviewComment, ...]} for the member's survey pages (see `submission_comments`).

    Comments on a milepost are under the key `("milepost", milepost_id)`; comments on the whole submission
    under `None`. Each comment has `thread_replies`.
    """
    grouped: dict = {}
    for comment in submission_comments(submission=submission, include_unsent=include_unsent):
        if comment.question_id:
            key = comment.question_id
        elif comment.milepost_id:
            key = ("milepost", comment.milepost_id)
        else:
            key = None
        grouped.setdefault(key, []).append(comment)
    return grouped


# --- The member's survey --------------------------------------------------------------------------------


@dataclass
class QuestionState:
    question: Question
    answer: Answer | None
    value: object
    visible: bool

    @property
    def answered(self) -> bool:
        from .conditions import is_answered

        return is_answered(self.value)

    @property
    def missing(self) -> bool:
        return self.visible and self.question.required and not self.answered

    @property
    def display(self) -> str:
        from .conditions import display_value

        return display_value(self.question, self.value)


@dataclass
class SectionState:
    section: Section
    items: list[QuestionState]

    @property
    def shown(self) -> list[QuestionState]:
        return [item for item in self.items if item.visible]

    @property
    def answered_count(self) -> int:
        return sum(item.answered for item in self.shown)

    @property
    def missing(self) -> list[QuestionState]:
        return [item for item in self.items if item.missing]

    @property
    def last_edit(self) -> Answer | None:
        edited = [item.answer for item in self.items if item.answer is not None and item.answer.updated_by_id]
        return max(edited, key=lambda answer: answer.updated_at, default=None)


@dataclass
class SurveyState:
    """A cycle's questionnaire with one submission's answers (or none), section by section."""

    cycle: SurveyCycle
    submission: Submission | None
    sections: list[SectionState]
    answers: dict[int, Answer]

    @property
    def missing(self) -> list[QuestionState]:
        return [item for section in self.sections for item in section.missing]

    def section(self, code: str) -> SectionState | None:
        return next((s for s in self.sections if s.section.code == code), None)


def submission_survey(
    *, cycle: SurveyCycle, submission: Submission | None, carried: dict[int, object] | None = None
) -> SurveyState:
    """Every question of the cycle with the submission's answer, visibility and progress; 5 queries.

    Before the survey is started, `carried` ({question id: value}, see `answers.carry_forward_preview`)
    stands in for the answers that starting it will fill in, so the progress shown is what the member finds.
    """
    from .conditions import answer_value, visible_codes

    sections = list(Section.objects.filter(cycle=cycle).order_by("position"))
    questions = list(
        Question.objects.filter(cycle=cycle)
        .select_related("section", "condition_question")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
    answers = {}
    if submission is not None:
        answers = {
            answer.question_id: answer
            for answer in Answer.objects.filter(submission=submission)
            .select_related("updated_by")
            .prefetch_related("options")
        }
    values = {q.code: answer_value(answers.get(q.pk), q) for q in questions}
    if submission is None and carried:
        values |= {q.code: carried[q.pk] for q in questions if q.pk in carried}
    visible = visible_codes(questions, values)
    by_section: dict[int, list[QuestionState]] = {section.pk: [] for section in sections}
    for q in questions:
        by_section[q.section_id].append(
            QuestionState(q, answers.get(q.pk), values[q.code], q.code in visible)
        )
    return SurveyState(
        cycle=cycle,
        submission=submission,
        sections=[SectionState(section, by_section[section.pk]) for section in sections],
        answers=answers,
    )


def current_cycle() -> SurveyCycle | None:
    """The open cycle, else the latest that has opened, else the next one."""
    cycles = list(SurveyCycle.objects.order_by("-year"))
    return (
        next((c for c in cycles if c.is_open), None)
        or next((c for c in cycles if c.status == SurveyCycle.Status.CLOSED), None)
        or (cycles[-1] if cycles else None)
    )


def submission_recent_changes(*, submission: Submission, limit: int = 8) -> list[AuditEvent]:
    """The latest answer and milepost changes of a submission (imports included), with who made them.

    Each event gets `label`: the question's text or the milepost's title, not its code. Three queries.
    """
    from .models import Milepost

    events = list(
        AuditEvent.objects.filter(
            submission=submission,
            kind__in=[
                AuditEvent.Kind.ANSWER_CHANGED,
                AuditEvent.Kind.MILEPOST_CHANGED,
                AuditEvent.Kind.IMPORT,
            ],
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    codes = {event.subject for event in events}
    questions = dict(
        Question.objects.filter(cycle_id=submission.cycle_id, code__in=codes).values_list("code", "text")
    )
    mileposts = dict(Milepost.objects.filter(code__in=codes).values_list("code", "title"))
    for event in events:
        labels = questions if event.kind == AuditEvent.Kind.ANSWER_CHANGED else mileposts
        event.label = labels.get(event.subject, event.subject)
    return events


def submission_resume_section(*, state: "SurveyState", user: User) -> str | None:
    """The section code where `user` left off: the section of their latest answer change, else the first
    section with a required answer missing, else the first section."""
    if not state.sections:
        return None
    by_code = {
        item.question.code: section.section.code for section in state.sections for item in section.items
    }
    if state.submission is not None:
        subjects = (
            AuditEvent.objects.filter(
                submission=state.submission, kind=AuditEvent.Kind.ANSWER_CHANGED, actor=user
            )
            .order_by("-created_at", "-id")
            .values_list("subject", flat=True)[:20]
        )
        for code in subjects:
            if code in by_code:
                return by_code[code]
    for section in state.sections:
        if section.missing:
            return section.section.code
    return state.sections[0].section.code


@dataclass
class CommentToAddress:
    comment: object
    addressed: bool
    how: str  # "replied", "changed" or "" (still to address)


@dataclass
class ReturnState:
    """Why a submission came back: the reviewer's note and each comment, addressed or not."""

    note: str
    returned_at: object
    reviewer: User | None
    comments: list[CommentToAddress]

    @property
    def to_address(self) -> list[CommentToAddress]:
        return [item for item in self.comments if not item.addressed]

    @property
    def addressed(self) -> list[CommentToAddress]:
        return [item for item in self.comments if item.addressed]


def submission_return_state(*, submission: Submission) -> ReturnState | None:
    """The latest return of a submission that is back with its members, or None when it is not returned.

    A comment counts as addressed once a member replied to it, or changed the answer (or milepost) it is
    about, after the return; resolved comments (approval) are addressed too. Four queries.
    """
    if submission.status != Submission.Status.RETURNED:
        return None
    event = (
        AuditEvent.objects.filter(
            submission=submission, kind=AuditEvent.Kind.TRANSITION, new_value=Submission.Status.RETURNED
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        return None
    changed = set(
        AuditEvent.objects.filter(
            submission=submission,
            kind__in=[AuditEvent.Kind.ANSWER_CHANGED, AuditEvent.Kind.MILEPOST_CHANGED],
            created_at__gt=event.created_at,
        ).values_list("subject", flat=True)
    )
    items = []
    for comment in submission_comments(submission=submission):
        subject = (
            comment.question.code
            if comment.question_id
            else comment.milepost.code
            if comment.milepost_id
            else None
        )
        replied = any(
            not reply.author.is_coalition_staff and reply.created_at > event.created_at
            for reply in comment.thread_replies
        )
        if comment.resolved_at is not None:
            how = "resolved"
        elif subject is not None and subject in changed:
            how = "changed"
        elif replied:
            how = "replied"
        else:
            how = ""
        items.append(CommentToAddress(comment=comment, addressed=bool(how), how=how))
    return ReturnState(note=event.note, returned_at=event.created_at, reviewer=event.actor, comments=items)
