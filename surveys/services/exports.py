"""CSV exports for staff: a cycle's raw answers and the audit log, safe to open in a spreadsheet.

Neither export holds a web worker or its memory. The answers of one cycle stream from the request (rows are
written as they are read, a chunk of submissions at a time). The audit log, a million rows within a few years,
is written by a background job (`export_job_request` → `export_job_run`) into a private folder
(settings.EXPORTS_DIR), with its progress on the job row, and downloaded until it expires.

The answers export uses the import's columns (`organization,year,question,value`, plus `status`), so an
exported file can be imported again.
"""

import contextlib
import csv
import json
import logging
import os
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from ..answer_types import answer_type
from ..conditions import answer_value
from ..models import (
    Answer,
    AuditEvent,
    ExportJob,
    Organization,
    Question,
    Submission,
    SubmissionMilepost,
    SurveyCycle,
    User,
)

logger = logging.getLogger(__name__)

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A byte-order mark makes spreadsheet programs read the file as UTF-8.
BOM = "\ufeff"


def spreadsheet_safe(value) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def spreadsheet_unsafe(text: str) -> str:
    """Undo `spreadsheet_safe`, so that an exported file imports back as it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


class _Line:
    """A file-like object for csv.writer that hands back the line instead of storing it."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(rows: Iterable[list], *, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV (with a byte-order mark) in chunks of a few hundred rows, every cell spreadsheet-safe."""
    writer = csv.writer(_Line())
    lines = [BOM]
    header = True
    for row in rows:
        lines.append(writer.writerow([spreadsheet_safe(cell) for cell in row]))
        # The header goes out at once, so a download starts before the first rows are read.
        if header or len(lines) >= rows_per_chunk:
            yield "".join(lines).encode()
            lines, header = [], False
    if lines:
        yield "".join(lines).encode()


# --- Answers of one cycle (streamed from the request) ---------------------------------------------------

ANSWERS_HEADER = ["organization", "year", "question", "value", "status"]


def answers_export_rows(*, cycle: SurveyCycle, submissions_per_chunk: int = 200) -> Iterator[list]:
    """The header, then one row per organisation and question (and per milepost advanced), by organisation.

    Reads a chunk of submissions at a time (their answers with options, their mileposts), so memory stays
    flat whatever the number of organisations: a few queries per `submissions_per_chunk` submissions.
    """
    yield ANSWERS_HEADER
    questions = {q.id: q for q in Question.objects.filter(cycle=cycle).select_related("section")}
    order = {q.id: (q.section.position, q.position, q.id) for q in questions.values()}
    submissions = list(
        Submission.objects.filter(cycle=cycle)
        .order_by("organization__name", "id")
        .values_list("id", "organization__name", "status")
    )
    for start in range(0, len(submissions), submissions_per_chunk):
        chunk = submissions[start : start + submissions_per_chunk]
        ids = [submission_id for submission_id, _, _ in chunk]
        answers: dict[int, list[Answer]] = {}
        for answer in Answer.objects.filter(submission_id__in=ids, is_visible=True).prefetch_related(
            "options"
        ):
            answers.setdefault(answer.submission_id, []).append(answer)
        mileposts: dict[int, list[str]] = {}
        for submission_id, code in (
            SubmissionMilepost.objects.filter(submission_id__in=ids)
            .order_by("milepost__code")
            .values_list("submission_id", "milepost__code")
        ):
            mileposts.setdefault(submission_id, []).append(code)
        for submission_id, name, status in chunk:
            for answer in sorted(answers.get(submission_id, []), key=lambda a: order[a.question_id]):
                question = questions[answer.question_id]
                yield [
                    name,
                    cycle.year,
                    question.code,
                    answer_type(question).csv_cell(answer_value(answer, question)),
                    status,
                ]
            for code in mileposts.get(submission_id, []):
                yield [name, cycle.year, "milepost", code, status]


# --- Audit log (a background job) -----------------------------------------------------------------------

AUDIT_HEADER = ["when", "event", "organization", "year", "user", "subject", "old value", "new value", "note"]


def _json(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


AUDIT_COLUMNS = (
    "id",
    "created_at",
    "kind",
    "organization__name",
    "submission__cycle__year",
    "actor__email",
    "subject",
    "old_value",
    "new_value",
    "note",
)


def audit_export_rows(*, rows: Iterable[tuple]) -> Iterator[list]:
    """The header, then one row per event; `rows` are tuples of AUDIT_COLUMNS (plain values: no model
    instances, which would make a million-row export several times slower)."""
    yield AUDIT_HEADER
    kinds = dict(AuditEvent.Kind.choices)
    for _, created_at, kind, organization, year, actor, subject, old, new, note in rows:
        yield [
            created_at.isoformat(),
            kinds.get(kind, kind),
            organization or "",
            year or "",
            actor or "",
            subject,
            _json(old),
            _json(new),
            note,
        ]


def audit_filters_json(filters: dict) -> dict:
    """The audit log's cleaned filters (organisation, user, kind, dates) as JSON for a job row."""
    out = {}
    for key, value in filters.items():
        if value in (None, ""):
            continue
        if isinstance(value, Organization | User):
            out[key] = value.pk
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def audit_filters_from_json(data: dict) -> dict:
    """Back from `audit_filters_json` to what `selectors_staff.audit_events` takes."""
    return {
        "organization": Organization.objects.filter(pk=data["organization"]).first()
        if data.get("organization")
        else None,
        "actor": User.objects.filter(pk=data["actor"]).first() if data.get("actor") else None,
        "kind": data.get("kind", ""),
        "date_from": date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
        "date_to": date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
    }


def export_file_path(job: ExportJob) -> Path:
    """Where the worker writes the job's file: the private exports folder, never a public URL."""
    return Path(settings.EXPORTS_DIR) / f"{job.pk}.csv"


def export_job_request(*, kind: str, filters: dict, requested_by: User, description: str = "") -> ExportJob:
    """Queue an export; the worker writes it after commit. If the broker is down, the job says so."""
    job = ExportJob.objects.create(
        kind=kind,
        filters=filters,
        description=description[:300],
        requested_by=requested_by,
        expires_at=timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )

    def enqueue():
        from ..tasks import export_job_run_task

        try:
            export_job_run_task.delay(job_id=str(job.pk))
        except (BrokerError, ConnectionError):
            logger.exception("Could not queue export %s.", job.pk)
            ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
                status=ExportJob.Status.FAILED,
                error="The background worker could not be reached. Try again in a few minutes.",
                finished_at=timezone.now(),
            )

    transaction.on_commit(enqueue)
    return job


PROGRESS_EVERY = 10_000


def export_job_run(*, job_id, rows_per_query: int = 5_000) -> ExportJob:
    """Write the job's CSV into the exports folder, recording progress; idempotent (a rerun rewrites it).

    Reads the audit log a page at a time by its keyset (created_at, id), so neither the worker's memory nor a
    database transaction grows with the log. Side effects: the file, and the job's status and counts.
    """
    from ..selectors_staff import audit_events, audit_events_iter

    job = ExportJob.objects.get(pk=job_id)
    if job.status == ExportJob.Status.DONE and export_file_path(job).exists():
        return job
    events = audit_events(**audit_filters_from_json(job.filters))
    total = events.count()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, rows_total=total, rows_done=0, error=""
    )
    path = export_file_path(job)
    partial = path.with_suffix(".part")
    counted = 0

    def counting(rows):
        nonlocal counted
        for row in rows:
            counted += 1
            yield row

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as out:
            read = audit_events_iter(events.values_list(*AUDIT_COLUMNS), rows_per_query=rows_per_query)
            reported = 0
            for chunk in csv_chunks(counting(audit_export_rows(rows=read)), rows_per_chunk=1000):
                out.write(chunk)
                if counted - reported >= PROGRESS_EVERY:
                    reported = counted
                    ExportJob.objects.filter(pk=job.pk).update(rows_done=counted - 1)
        os.replace(partial, path)
    except Exception as error:
        if isinstance(error, OSError):
            message = (
                f"The export file could not be written ({error.strerror or error}). Ask whoever runs the site"
                " to check the EXPORTS_DIR folder: the worker must be able to write there."
            )
        else:
            message = f"The export failed: {error}"
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        rows_done=counted - 1,
        size=path.stat().st_size,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    job.refresh_from_db()
    return job


def export_jobs_purge(*, now=None) -> int:
    """Delete expired export files and their job rows; returns how many. Idempotent."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now))
    for job in expired:
        export_file_path(job).unlink(missing_ok=True)
        export_file_path(job).with_suffix(".part").unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)
