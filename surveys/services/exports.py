"""CSV exports for staff: a cycle's raw answers and the audit log, safe to open in a spreadsheet.

The answers export uses the import's columns (`organization,year,question,value`, plus `status`), so an
exported file can be imported again.
"""

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from ..conditions import answer_value
from ..models import Answer, AuditEvent, Question, Submission, SubmissionMilepost, SurveyCycle

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def spreadsheet_unsafe(text: str) -> str:
    """Undo `spreadsheet_safe`, so that an exported file imports back as it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value)
    return "" if value is None else str(value)


def answers_export_csv(*, cycle: SurveyCycle, out: TextIO) -> int:
    """Write one row per organisation and question (and per milepost advanced); returns the row count.

    Streams answers with an iterator so memory does not grow with the number of organisations.
    """
    writer = csv.writer(out)
    writer.writerow(["organization", "year", "question", "value", "status"])
    questions = {q.id: q for q in Question.objects.filter(cycle=cycle).select_related("section")}
    order = {q.id: (q.section.position, q.position) for q in questions.values()}
    rows = 0
    answers = (
        Answer.objects.filter(submission__cycle=cycle, is_visible=True)
        .select_related("submission__organization")
        .prefetch_related("options")
        .order_by("submission__organization__name", "question_id")
    )
    by_submission: dict[int, list] = {}
    meta: dict[int, Submission] = {}
    for answer in answers.iterator(chunk_size=2000):
        by_submission.setdefault(answer.submission_id, []).append(answer)
        meta[answer.submission_id] = answer.submission
    mileposts: dict[int, list[str]] = {}
    for submission_id, code in SubmissionMilepost.objects.filter(submission__cycle=cycle).values_list(
        "submission_id", "milepost__code"
    ):
        mileposts.setdefault(submission_id, []).append(code)
    for submission in Submission.objects.filter(
        cycle=cycle, pk__in=set(mileposts) - set(meta)
    ).select_related("organization"):
        meta[submission.pk] = submission
    for submission in sorted(meta.values(), key=lambda s: s.organization.name):
        name = spreadsheet_safe(submission.organization.name)
        for answer in sorted(by_submission.get(submission.pk, []), key=lambda a: order[a.question_id]):
            question = questions[answer.question_id]
            value = _cell(answer_value(answer, question))
            writer.writerow([name, cycle.year, question.code, spreadsheet_safe(value), submission.status])
            rows += 1
        for code in sorted(mileposts.get(submission.pk, [])):
            writer.writerow([name, cycle.year, "milepost", code, submission.status])
            rows += 1
    return rows


def audit_export_csv(*, events: Iterable[AuditEvent], out: TextIO) -> int:
    """Write the given audit events (select_related organization, actor) as CSV; returns the row count."""
    writer = csv.writer(out)
    writer.writerow(
        ["when", "event", "organization", "year", "user", "subject", "old value", "new value", "note"]
    )
    rows = 0
    for event in events:
        writer.writerow(
            [
                event.created_at.isoformat(),
                event.get_kind_display(),
                spreadsheet_safe(event.organization.name if event.organization else ""),
                event.submission.cycle.year if event.submission_id else "",
                spreadsheet_safe(event.actor.email if event.actor else ""),
                spreadsheet_safe(event.subject),
                spreadsheet_safe(_json(event.old_value)),
                spreadsheet_safe(_json(event.new_value)),
                spreadsheet_safe(event.note),
            ]
        )
        rows += 1
    return rows


def _json(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
