"""The member's survey: start a submission (carrying last year forward), save a section, mileposts, proposals.

Every save locks the submission row, so two colleagues' saves happen one after the other; an answer changed
by someone else since the page was loaded is never overwritten silently (see `section_save`).
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from ..answer_types import answer_type
from ..conditions import AnswerValue, answer_value, is_answered, visible_codes
from ..models import (
    Answer,
    Area,
    AuditEvent,
    Milepost,
    MilepostProposal,
    Organization,
    Question,
    Section,
    Submission,
    SubmissionMilepost,
    SurveyCycle,
    User,
)

Provenance = Answer.Provenance
FROM_LAST_YEAR = (Provenance.CARRIED, Provenance.CONFIRMED, Provenance.CHANGED)


class SaveError(Exception):
    """A save that is refused (read-only submission, closed survey, bad input); the message says why."""


@dataclass
class Conflict:
    """An answer someone else changed since this person loaded the page, while this person changed it too."""

    question: Question
    mine: AnswerValue
    theirs: AnswerValue
    by: User | None
    at: datetime.datetime
    version: int


@dataclass
class SaveResult:
    saved: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def edit_refusal(submission: Submission) -> str | None:
    """Why members cannot edit this submission now, in plain words; None when they can."""
    cycle = submission.cycle
    if submission.status == Submission.Status.SUBMITTED:
        when = (
            date_format(timezone.localtime(submission.submitted_at), "j F Y")
            if submission.submitted_at
            else ""
        )
        return (
            f"Your organisation submitted this survey{' on ' + when if when else ''}. It is read-only until "
            "the coalition returns it to you."
        )
    if submission.status == Submission.Status.APPROVED:
        return "The coalition approved this survey. It can no longer be changed."
    # Returned and reopened submissions stay editable after the deadline: staff opened them on purpose.
    if submission.status == Submission.Status.DRAFT and not cycle.is_open:
        if cycle.status == SurveyCycle.Status.UPCOMING:
            return f"The {cycle.year} survey opens on {date_format(cycle.opens_on, 'j F Y')}."
        return (
            f"The {cycle.year} survey closed on {date_format(cycle.closes_on, 'j F Y')}, so answers can no "
            "longer be changed."
        )
    return None


def _lock(submission: Submission, *, allow_closed_cycle: bool) -> Submission:
    submission = Submission.objects.select_for_update().select_related("cycle").get(pk=submission.pk)
    refusal = edit_refusal(submission)
    if refusal and not (allow_closed_cycle and submission.is_member_editable):
        raise SaveError(refusal)
    return submission


def normalise(question: Question, value) -> AnswerValue:
    """A submitted value in the plain shape `answer_value` returns for the question's type."""
    return answer_type(question).normalise(value)


def same(a: AnswerValue, b: AnswerValue) -> bool:
    """Equal values, where every kind of 'no answer' (None, "", []) is the same."""
    if not is_answered(a) and not is_answered(b):
        return True
    return a == b


def answer_value_set(answer: Answer, question: Question, value: AnswerValue) -> list[str]:
    """Put a plain value into the answer's typed column; returns the option codes a choice value ticks.

    The options themselves are rows of their own, written by whoever saves the answer.
    """
    return answer_type(question).store(answer, value)


def _answer_changed(submission, actor, question, old, new, *, note="") -> AuditEvent:
    return AuditEvent.about(
        submission,
        kind=AuditEvent.Kind.ANSWER_CHANGED,
        actor=actor,
        subject=question.code,
        old=old,
        new=new,
        note=note,
    )


def _cycle_questions(cycle_id: int) -> list[Question]:
    return list(
        Question.objects.filter(cycle_id=cycle_id)
        .select_related("condition_question")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )


def _write(
    *,
    submission: Submission,
    questions: list[Question],
    answers: dict[int, Answer],
    values: dict[str, AnswerValue],
    new_options: dict[int, list[str]],
    events: list[AuditEvent],
    updated: set[int],
) -> None:
    """Bulk-write answers: recompute visibility, create, update, replace option rows, append the audit.

    `answers` maps question id to answer (unsaved ones have no pk); `new_options` maps question id to the
    option codes of choice answers whose options changed; `updated` holds question ids of changed answers.
    A fixed number of queries, however many questions the section holds.
    """
    visible = visible_codes(questions, values)
    by_id = {question.pk: question for question in questions}
    to_create, to_update = [], []
    for question_id, answer in answers.items():
        shown = by_id[question_id].code in visible
        if answer.is_visible != shown:
            answer.is_visible = shown
            updated.add(question_id)
        if answer.pk is None:
            to_create.append(answer)
        elif question_id in updated:
            to_update.append(answer)
    Answer.objects.bulk_create(to_create)
    if to_update:
        Answer.objects.bulk_update(
            to_update,
            [
                "value_bool",
                "value_int",
                "value_text",
                "is_visible",
                "provenance",
                "version",
                "updated_at",
                "updated_by",
            ],
        )
    if new_options:
        through = Answer.options.through
        through.objects.filter(answer_id__in=[answers[qid].pk for qid in new_options]).delete()
        rows = []
        for question_id, codes in new_options.items():
            options = {option.code: option for option in by_id[question_id].options.all()}
            rows += [
                through(answer_id=answers[question_id].pk, option_id=options[code].pk)
                for code in codes
                if code in options
            ]
        through.objects.bulk_create(rows)
    AuditEvent.objects.bulk_create(events)


@transaction.atomic
def submission_start(
    *, organization: Organization, cycle: SurveyCycle, actor: User | None = None
) -> Submission:
    """The organisation's submission for the cycle, created on first use with last year's answers carried forward.

    Carries the visible answers of the organisation's latest approved submission (earlier year) whose
    question code, type and option codes still exist, marked "from last year". Mileposts are not carried.
    """
    submission, created = Submission.objects.get_or_create(
        organization=organization, cycle=cycle, defaults={"last_edited_by": actor}
    )
    if created:
        _carry_forward(submission, actor)
    return submission


def carry_forward_preview(
    *, organization: Organization, cycle: SurveyCycle, questions: list[Question] | None = None
) -> tuple[Submission | None, dict[int, AnswerValue]]:
    """The approved submission starting this cycle's survey would carry from, and {question id: value}.

    The visible answers of the organisation's latest approved submission (earlier year) whose question
    code, type and option codes still exist. Writes nothing: the home page uses it before the survey starts.
    """
    previous = (
        Submission.objects.approved()
        .filter(organization_id=organization.pk, cycle__year__lt=cycle.year)
        .select_related("cycle")
        .order_by("-cycle__year")
        .first()
    )
    if previous is None:
        return None, {}
    questions = questions if questions is not None else _cycle_questions(cycle.pk)
    by_code = {question.code: question for question in questions}
    old_answers = (
        Answer.objects.filter(submission=previous, is_visible=True)
        .select_related("question")
        .prefetch_related("options")
    )
    carried = {}
    for old in old_answers:
        question = by_code.get(old.question.code)
        if question is None or question.type != old.question.type:
            continue
        value = answer_value(old, old.question)
        if question.is_choice:
            known = {option.code for option in question.options.all()}
            kind = answer_type(question)
            value = kind.read(None, None, "", [code for code in kind.codes(value) if code in known])
        if is_answered(value):
            carried[question.pk] = value
    return previous, carried


def _carry_forward(submission: Submission, actor: User | None) -> None:
    questions = _cycle_questions(submission.cycle_id)
    previous, carried = carry_forward_preview(
        organization=submission.organization, cycle=submission.cycle, questions=questions
    )
    if previous is None:
        return
    by_id = {question.pk: question for question in questions}
    now = timezone.now()
    answers, values, new_options, events = {}, {}, {}, []
    # Milepost copied these answers, not the person who happened to open the survey first: the event has no
    # actor, and the note says who opened it.
    note = f"Carried forward from {previous.cycle.year}"
    if actor is not None:
        note += f" when {actor.email} opened the survey"
    for question_id, value in carried.items():
        question = by_id[question_id]
        answer = Answer(
            submission=submission, question=question, provenance=Provenance.CARRIED, updated_at=now
        )
        codes = answer_value_set(answer, question, value)
        if question.is_choice:
            new_options[question.pk] = codes
        answers[question.pk] = answer
        values[question.code] = value
        events.append(_answer_changed(submission, None, question, None, value, note=note))
    new_options = {qid: codes for qid, codes in new_options.items() if qid in answers}
    _write(
        submission=submission,
        questions=questions,
        answers=answers,
        values=values,
        new_options=new_options,
        events=events,
        updated=set(),
    )


@transaction.atomic
def section_save(
    *,
    submission: Submission,
    section: Section,
    actor: User,
    data: dict[str, AnswerValue],
    base_versions: dict[str, int],
    base_values: dict[str, AnswerValue] | None = None,
    confirm_carried: bool = False,
    allow_closed_cycle: bool = False,
) -> SaveResult:
    """Save the valid answers of one section, in a fixed number of queries.

    `data` maps question codes of `section` to plain values (what `conditions.answer_value` returns);
    codes left out (e.g. invalid input kept in the form) are not touched. `base_versions` holds each
    answer's version when the page was loaded (0 when there was no answer) and `base_values` the values
    shown then: an answer this person changed whose version has moved on since is not written but
    returned in `SaveResult.conflicts`; re-saving with the current version as base resolves it.
    `confirm_carried` marks unchanged answers "from last year" as confirmed. Visibility of every answer
    of the submission is recomputed. Raises SaveError when members may not edit the submission (closed
    survey, submitted); `allow_closed_cycle` lets an import or the demo write a draft after the deadline.
    """
    submission = _lock(submission, allow_closed_cycle=allow_closed_cycle)
    questions = _cycle_questions(submission.cycle_id)
    answers = {
        answer.question_id: answer
        for answer in Answer.objects.filter(submission=submission)
        .select_related("updated_by")
        .prefetch_related("options")
    }
    by_id = {question.pk: question for question in questions}
    values = {by_id[qid].code: answer_value(answer, by_id[qid]) for qid, answer in answers.items()}
    now = timezone.now()
    result = SaveResult()
    new_options, events, updated = {}, [], set()

    for question in questions:
        if question.section_id != section.pk:
            continue
        answer = answers.get(question.pk)
        current = values.get(question.code)
        if question.code in data:
            new = normalise(question, data[question.code])
            if not same(new, current):
                seen = base_values.get(question.code) if base_values is not None else None
                if base_values is not None and question.code in base_values and same(new, seen):
                    continue  # Untouched by this person: someone else's newer answer stands.
                base = base_versions.get(question.code)
                current_version = answer.version if answer else 0
                if base is not None and base != current_version:
                    result.conflicts.append(
                        Conflict(
                            question,
                            new,
                            current,
                            answer.updated_by if answer else None,
                            answer.updated_at if answer else now,
                            current_version,
                        )
                    )
                    continue
                if answer is None:
                    answer = answers[question.pk] = Answer(
                        submission=submission, question=question, version=0
                    )
                answer.provenance = (
                    Provenance.CHANGED if answer.provenance in FROM_LAST_YEAR else Provenance.NEW
                )
                codes = answer_value_set(answer, question, new)
                answer.version += 1
                answer.updated_at, answer.updated_by = now, actor
                if question.is_choice:
                    new_options[question.pk] = codes
                values[question.code] = new
                updated.add(question.pk)
                events.append(_answer_changed(submission, actor, question, current, new))
                result.saved.append(question.code)
                continue
        if confirm_carried and answer is not None and answer.provenance == Provenance.CARRIED:
            answer.provenance = Provenance.CONFIRMED
            answer.updated_at, answer.updated_by = now, actor
            updated.add(question.pk)
            events.append(_answer_changed(submission, actor, question, current, current, note="Confirmed"))
            result.confirmed.append(question.code)

    _write(
        submission=submission,
        questions=questions,
        answers=answers,
        values=values,
        new_options=new_options,
        events=events,
        updated=updated,
    )
    if result.saved or result.confirmed:
        Submission.objects.filter(pk=submission.pk).update(updated_at=now, last_edited_by=actor)
    return result


def answers_confirm_carried(*, submission: Submission, section: Section, actor: User) -> SaveResult:
    """Mark every answer "from last year" in the section as confirmed, values unchanged."""
    return section_save(
        submission=submission, section=section, actor=actor, data={}, base_versions={}, confirm_carried=True
    )


@transaction.atomic
def mileposts_save(
    *, submission: Submission, actor: User, advanced: dict[str, str], allow_closed_cycle: bool = False
) -> Submission:
    """Replace the mileposts advanced this year: `advanced` maps catalogue codes to what was done.

    A description is required for each; mileposts left out are removed. Appends a MILEPOST_CHANGED event
    per change. Raises SaveError for an unknown milepost, a missing description or a read-only submission.
    """
    submission = _lock(submission, allow_closed_cycle=allow_closed_cycle)
    advanced = {code: (description or "").strip() for code, description in advanced.items()}
    catalogue = {
        milepost.code: milepost
        for milepost in Milepost.objects.filter(
            code__in=advanced, is_active=True, introduced_year__lte=submission.cycle.year
        )
    }
    unknown = sorted(set(advanced) - set(catalogue))
    if unknown:
        raise SaveError(
            f"These mileposts are not in the {submission.cycle.year} catalogue: {', '.join(unknown)}."
        )
    undescribed = [catalogue[code].title for code, description in advanced.items() if not description]
    if undescribed:
        raise SaveError(
            "Describe what you did for each milepost you advanced: " + "; ".join(undescribed) + "."
        )

    now = timezone.now()
    existing = {item.milepost.code: item for item in submission.mileposts.select_related("milepost")}
    to_create, to_update, events = [], [], []

    def event(code, old, new):
        return AuditEvent.about(
            submission, kind=AuditEvent.Kind.MILEPOST_CHANGED, actor=actor, subject=code, old=old, new=new
        )

    for code, description in advanced.items():
        item = existing.get(code)
        if item is None:
            to_create.append(
                SubmissionMilepost(
                    submission=submission,
                    milepost=catalogue[code],
                    description=description,
                    updated_at=now,
                    updated_by=actor,
                )
            )
            events.append(event(code, None, description))
        elif item.description != description:
            events.append(event(code, item.description, description))
            item.description, item.updated_at, item.updated_by = description, now, actor
            to_update.append(item)
    removed = [item for code, item in existing.items() if code not in advanced]
    events += [event(item.milepost.code, item.description, None) for item in removed]
    SubmissionMilepost.objects.bulk_create(to_create)
    SubmissionMilepost.objects.bulk_update(to_update, ["description", "updated_at", "updated_by"])
    if removed:
        SubmissionMilepost.objects.filter(pk__in=[item.pk for item in removed]).delete()
    AuditEvent.objects.bulk_create(events)
    if events:
        Submission.objects.filter(pk=submission.pk).update(updated_at=now, last_edited_by=actor)
    return submission


@transaction.atomic
def milepost_propose(
    *, submission: Submission, actor: User, area: str, title: str, description: str
) -> MilepostProposal:
    """Propose a milepost that is not in the catalogue; staff accept or reject it later."""
    submission = _lock(submission, allow_closed_cycle=False)
    title, description = (title or "").strip(), (description or "").strip()
    if area not in Area.values:
        raise SaveError("Choose the area the milepost belongs to: prevention, detection or response.")
    if not title or not description:
        raise SaveError("Give the proposed milepost a title and describe what you did.")
    proposal = MilepostProposal.objects.create(
        submission=submission, area=area, title=title, description=description, proposed_by=actor
    )
    AuditEvent.about(
        submission,
        kind=AuditEvent.Kind.MILEPOST_PROPOSAL,
        actor=actor,
        subject=title[:120],
        new={"area": area, "title": title, "description": description},
    ).save()
    return proposal


def carried_unconfirmed(*, submission: Submission) -> list[Answer]:
    """Shown answers still carried forward from last year that nobody has confirmed or changed."""
    return list(
        Answer.objects.filter(submission=submission, provenance=Provenance.CARRIED, is_visible=True)
        .select_related("question__section")
        .order_by("question__section__position", "question__position")
    )


@transaction.atomic
def submission_submit_checked(
    *, submission: Submission, actor: User, note: str = "", carried_confirmed: bool = False
) -> Submission:
    """A lead submits, confirming in the same step any answer still carried forward unconfirmed.

    Refused (TransitionError) while such answers exist and `carried_confirmed` is false; with it, each is
    marked confirmed by the lead (one audit event each) and the survey is submitted, all or nothing.
    """
    from .workflow import TransitionError, submission_submit

    refusal = edit_refusal(submission)
    if refusal:
        raise TransitionError(refusal)
    unconfirmed = carried_unconfirmed(submission=submission)
    if unconfirmed and not carried_confirmed:
        count = len(unconfirmed)
        raise TransitionError(
            f"{count} answer{'s' if count != 1 else ''} carried forward from last year "
            f"{'have' if count != 1 else 'has'} not been confirmed. Check {'them' if count != 1 else 'it'}, "
            "then tick the box to confirm they are still true this year, and submit again."
        )
    sections = {answer.question.section.pk: answer.question.section for answer in unconfirmed}
    for section in sections.values():
        answers_confirm_carried(submission=submission, section=section, actor=actor)
    return submission_submit(submission=submission, actor=actor, note=note)
