"""Bulk import of submissions from CSV (`organization,year,question,value`), all or nothing.

`responses_parse` reads the file one record at a time and checks every row, then compares each organisation's
rows with what Milepost holds: answers added, changed, left alone and removed, and whether the submission is
complete afterwards. `responses_import` writes nothing unless the whole file is valid; then it writes in
chunks of submissions (memory stays flat in the file's size), records one IMPORT audit event per submission
(old and new values of what changed), and, when asked, approves them all in one set-based step.

By default an import merges: answers the file does not mention are kept. With `replace`, the file is the
whole truth for each submission it names, and answers (and mileposts) it does not mention are removed.

File format (UTF-8, header row, extra columns ignored; `organization` is the organisation's name as Milepost
shows it, in any letter case):
- a multiple-choice value lists option codes separated by `;` (`none` cannot be combined);
- single choice: one option code; yes/no: `yes` or `no`; whole numbers within the question's limits;
- text answers may run across lines inside quotes; no other cell may;
- a row whose question is `milepost` names one milepost code advanced that year (one row per milepost).
"""

import io
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from ..answer_types import InvalidValue, answer_type
from ..conditions import is_answered, missing_required, plain_value, visible_codes
from ..models import (
    Answer,
    AuditEvent,
    Milepost,
    Option,
    Organization,
    Question,
    Submission,
    SubmissionMilepost,
    SurveyCycle,
    User,
)
from . import workflow
from .accounts import organization_create
from .answers import answer_value_set
from .bulk import audit_rows_insert, rows_insert
from .exports import spreadsheet_unsafe
from .import_reading import (
    ReadError,
    csv_records,
    excerpt,
    looks_like_a_row,
    name_clean,
    name_difference,
    name_key,
    name_skeleton,
)

REQUIRED_COLUMNS = ("organization", "year", "question", "value")
MILEPOST = "milepost"
CHUNK = 500  # submissions compared or written at a time
NAME_MAX_LENGTH = Organization._meta.get_field("name").max_length


class ImportRejected(Exception):
    """The file cannot be imported; `problems` lists every (line, message)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the file; nothing was imported.")


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class PlannedSubmission:
    """One organisation's year in the file, and what importing it would do."""

    organization_name: str
    year: int
    organization_exists: bool = True
    first_line: int = 0
    answers: dict[str, Any] = field(default_factory=dict)  # question code -> parsed value
    # The line of each answer, in the order of `answers` (4 bytes each: a large file's plan stays small).
    answer_lines: array = field(default_factory=lambda: array("I"))
    mileposts: dict[str, int] = field(default_factory=dict)  # milepost code -> line
    existing_status: str | None = None  # None: a new submission
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0  # answers the file does not mention: removed with `replace`, else kept
    mileposts_added: int = 0
    mileposts_removed: int = 0
    missing: list[str] = field(default_factory=list)  # required question codes unanswered after the import

    def values(self) -> dict[str, Any]:
        return self.answers

    def line_of(self, code: str) -> int:
        return self.answer_lines[list(self.answers).index(code)]


@dataclass
class ImportPlan:
    """The checked content of a file and what it would change, or its problems."""

    replace: bool = False
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    submissions: dict[tuple[str, int], PlannedSubmission] = field(default_factory=dict)
    new_names: dict[str, str] = field(default_factory=dict)  # name key -> the name as it will be stored
    new_skeletons: dict[str, tuple[str, int]] = field(default_factory=dict)  # skeleton -> (name, line)
    # cell -> (organisation or None, name as shown, its key)
    resolved_names: dict[str, tuple] = field(default_factory=dict, repr=False)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def new_organizations(self) -> list[str]:
        return sorted({p.organization_name for p in self.submissions.values() if not p.organization_exists})

    @property
    def incomplete(self) -> list[PlannedSubmission]:
        return [p for p in self.submissions.values() if p.missing]

    def summary(self) -> dict[str, int]:
        planned = self.submissions.values()
        return {
            "rows": self.rows,
            "submissions": len(self.submissions),
            "new_submissions": sum(1 for p in planned if p.existing_status is None),
            "updated_submissions": sum(1 for p in planned if p.existing_status is not None),
            "new_organizations": len(self.new_organizations),
            "answers": sum(len(p.answers) for p in planned),
            "added": sum(p.added for p in planned),
            "changed": sum(p.changed for p in planned),
            "unchanged": sum(p.unchanged for p in planned),
            "removed": sum(p.removed for p in planned) if self.replace else 0,
            "kept": 0 if self.replace else sum(p.removed for p in planned),
            "mileposts": sum(len(p.mileposts) for p in planned),
            "mileposts_removed": sum(p.mileposts_removed for p in planned) if self.replace else 0,
            "incomplete": len(self.incomplete),
        }


@dataclass
class ImportResult:
    plan: ImportPlan
    organizations_created: int = 0
    submissions_created: int = 0
    submissions_updated: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    mileposts: int = 0
    approved: int = 0
    dry_run: bool = False

    @property
    def answers(self) -> int:
        """Answers written (added or changed)."""
        return self.added + self.changed


# --- Parsing and validation -----------------------------------------------------------------------------


class _Catalogue:
    """Everything validation needs, loaded once: cycles, questions with options, organisations, mileposts."""

    def __init__(self):
        self.cycles = {c.year: c for c in SurveyCycle.objects.all()}
        self.questions: dict[tuple[int, str], Question] = {}
        self.question_by_id: dict[int, Question] = {}
        self.options: dict[int, dict[str, Option]] = {}
        self.option_code: dict[int, str] = {}
        self._by_year: dict[int, list[Question]] = {}
        for question in Question.objects.select_related("cycle", "condition_question").order_by(
            "section__position", "position"
        ):
            self.questions[(question.cycle.year, question.code)] = question
            self.question_by_id[question.id] = question
            self.options[question.id] = {}
            self._by_year.setdefault(question.cycle.year, []).append(question)
        for option in Option.objects.all():
            if option.question_id in self.options:
                self.options[option.question_id][option.code] = option
                self.option_code[option.id] = option.code
        self.organizations: dict[str, Organization] = {}
        self.skeletons: dict[str, Organization] = {}
        for organization in Organization.objects.only("id", "name", "slug"):
            self.organizations[name_key(organization.name)] = organization
            self.skeletons.setdefault(name_skeleton(organization.name), organization)
        self.mileposts = {m.code: m for m in Milepost.objects.all()}

    def questions_of(self, year: int) -> list[Question]:
        """The year's questions in questionnaire order."""
        return self._by_year.get(year, [])


def _parse_value(question: Question, raw: str, options: dict[str, Option]) -> tuple[Any, str | None]:
    """(value, None) or (None, problem message) for one cell."""
    text = raw.strip()
    if text == "":
        return None, f"no value for {question.code}; leave the row out to leave the question unanswered."
    try:
        return answer_type(question).parse(question, text, options), None
    except InvalidValue as invalid:
        return None, str(invalid)


def _binary(file: BinaryIO | None, text: str | None) -> BinaryIO:
    if file is not None:
        return file
    return io.BytesIO((text or "").encode("utf-8"))


def responses_parse(
    *,
    file: BinaryIO | None = None,
    text: str | None = None,
    create_organizations: bool = False,
    replace: bool = False,
    progress: bool = False,
) -> ImportPlan:
    """Check a whole CSV file (a binary file, or `text`) and say what importing it would change.

    The plan holds every problem with its line, or per organisation the answers added, changed, left alone
    and removed (kept unless `replace`), and the required questions still unanswered afterwards.
    """
    plan = ImportPlan(replace=replace)
    records = csv_records(_binary(file, text))
    try:
        header_record = next(records, None)
        header = [name.strip().lower() for name in (header_record.fields if header_record else [])]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            plan.problems.append(
                Problem(
                    1,
                    f"the header row must name the columns {','.join(REQUIRED_COLUMNS)}; "
                    f"missing {', '.join(missing)}.",
                )
            )
            return plan
        columns = [header.index(column) for column in REQUIRED_COLUMNS]
        catalogue = _Catalogue()
        bar = tqdm(records, desc="Checking", unit=" rows", disable=not progress, file=sys.stderr)
        for record in bar:
            plan.rows += 1
            problem = _check_record(plan, catalogue, record, columns, create_organizations)
            if problem:
                plan.problems.append(Problem(record.line, problem))
    except ReadError as error:
        plan.problems.append(Problem(error.line, error.message + " Nothing was imported."))
        return plan
    if plan.rows == 0:
        plan.problems.append(Problem(2, "the file has a header but no rows."))
    if plan.is_valid:
        _compare_with_database(plan, catalogue)
    plan.problems.sort(key=lambda p: p.line)
    return plan


def _check_record(plan, catalogue, record, columns, create_organizations) -> str | None:
    if len(record.fields) <= max(columns):
        return (
            f"this row has {len(record.fields)} cell{'s' if len(record.fields) != 1 else ''}; every row needs "
            f"{','.join(REQUIRED_COLUMNS)}: “{excerpt(record.lines[0])}”."
        )
    raw_name, raw_year, raw_code, raw_value = (record.fields[i] for i in columns)
    if any("\x00" in cell for cell in (raw_name, raw_year, raw_code, raw_value)):
        return "a cell contains a NUL character (an invisible byte 0); remove it and import again."
    if record.spans_lines:
        problem = _check_multiline(record, columns, raw_name, raw_year, raw_code, catalogue)
        if problem:
            return problem
    # Cells our export neutralised for spreadsheets ('=…) import back as they were.
    # A name repeats on every row of its organisation: resolve each spelling once.
    resolved = plan.resolved_names.get(raw_name)
    if resolved is None:
        name = name_clean(spreadsheet_unsafe(raw_name.strip()))
        if not name:
            return "the organisation is empty."
        if len(name) > NAME_MAX_LENGTH:
            return f"the organisation name has {len(name)} characters; names have at most {NAME_MAX_LENGTH}."
        organization, problem = _organization(plan, catalogue, name, record.line, create_organizations)
        if problem:
            return problem
        display = organization.name if organization else plan.new_names[name_key(name)]
        resolved = plan.resolved_names[raw_name] = (organization, display, name_key(display))
    organization, display, display_key = resolved
    try:
        year = int(raw_year.strip())
    except ValueError:
        return f"the year must be a number like 2025, not “{excerpt(raw_year.strip())}”."
    if year not in catalogue.cycles:
        return f"there is no survey cycle for {year}; create the {year} questionnaire first."
    key = (display_key, year)
    planned = plan.submissions.get(key)
    if planned is None:
        planned = plan.submissions[key] = PlannedSubmission(
            organization_name=display,
            year=year,
            organization_exists=organization is not None,
            first_line=record.line,
        )
    code = spreadsheet_unsafe(raw_code.strip())
    raw_value = spreadsheet_unsafe(raw_value)
    if code == MILEPOST:
        milepost_code = raw_value.strip()
        milepost = catalogue.mileposts.get(milepost_code)
        if milepost is None:
            return f"no milepost has the code “{excerpt(milepost_code)}”; use a code from the milepost catalogue."
        if milepost.introduced_year > year:
            return (
                f"milepost {milepost_code} joins the catalogue in {milepost.introduced_year}, after {year}."
            )
        if milepost_code in planned.mileposts:
            return (
                f"milepost {milepost_code} is listed twice for {display} in {year} "
                f"(also on line {planned.mileposts[milepost_code]})."
            )
        planned.mileposts[milepost_code] = record.line
        return None
    question = catalogue.questions.get((year, code))
    if question is None:
        return f"the {year} questionnaire has no question “{excerpt(code)}”."
    if code in planned.answers:
        return (
            f"{display} has a second answer to {code} for {year} (first on line {planned.line_of(code)}); "
            "keep one row per question and list several options in it separated by “;”."
        )
    value, problem = _parse_value(question, raw_value, catalogue.options[question.id])
    if problem:
        return problem
    planned.answers[question.code] = value
    planned.answer_lines.append(record.line)
    return None


def _check_multiline(record, columns, raw_name, raw_year, raw_code, catalogue) -> str | None:
    """A quoted cell ran across lines: fine for a text answer, otherwise (or if it swallowed rows) an error."""
    last = record.line + len(record.lines) - 1
    opened = f"“{excerpt(record.lines[0])}”"
    swallowed = next(
        (
            record.line + offset
            for offset, line in enumerate(record.lines[1:], start=1)
            if looks_like_a_row(line, columns=max(columns) + 1, year_index=columns[1])
        ),
        None,
    )
    if swallowed is not None:
        return (
            f'a quote mark (") opened on this line is not closed before line {swallowed}, which is a row of '
            f"its own, so lines {record.line}–{last} would read as one cell: {opened}. Close the quote on "
            "this line and import again."
        )
    # Lines end at "\n" (a lone "\r" never ends one), so a cell that runs across lines holds a "\n".
    if any("\n" in cell for cell in (raw_name, raw_year, raw_code)):
        return (
            f"a quoted cell that opens on this line runs on to line {last}: {opened}. Only a text answer "
            "may run across lines; close the quote on this line."
        )
    try:
        question = catalogue.questions.get((int(raw_year.strip()), raw_code.strip()))
    except ValueError:
        question = None
    if question is None or not answer_type(question).multiline:
        return (
            f"the value that opens on this line runs on to line {last}: {opened}. Only a text answer may "
            f"run across lines, and {raw_code.strip() or 'this question'} is not a text question; close the "
            "quote on this line."
        )
    return None


def _organization(plan, catalogue, name, line, create_organizations) -> tuple[Organization | None, str]:
    """The existing organisation a name means, or None for a new one; or a problem (look-alike, unknown)."""
    key = name_key(name)
    organization = catalogue.organizations.get(key)
    if organization is not None or key in plan.new_names:
        return organization, ""
    skeleton = name_skeleton(name)
    lookalike = catalogue.skeletons.get(skeleton)
    if lookalike is not None:
        return None, (
            f"“{name}” looks like the organisation “{lookalike.name}” but is spelt with other characters "
            f"({name_difference(name, lookalike.name)}). Type the name exactly as Milepost shows it."
        )
    if not create_organizations:
        return None, (
            f"no organisation is called “{excerpt(name)}”. Check the spelling, or import with "
            "--create-organizations (“Create organisations” in the browser) to add it."
        )
    earlier = plan.new_skeletons.get(skeleton)
    if earlier is not None:
        return None, (
            f"“{name}” looks like “{earlier[0]}” on line {earlier[1]} but is spelt with other characters "
            f"({name_difference(name, earlier[0])}); spell a new organisation the same way on every row."
        )
    plan.new_names[key] = name
    plan.new_skeletons[skeleton] = (name, line)
    return None, ""


# --- Comparing with what Milepost holds -----------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_submissions(plan: ImportPlan, catalogue: _Catalogue, *, lock: bool = False) -> dict:
    """{(name key, year): Submission} for the planned submissions that exist already."""
    names = [p.organization_name for p in plan.submissions.values() if p.organization_exists]
    if not names:
        return {}
    key_of = {catalogue.organizations[name_key(name)].id: name_key(name) for name in names}
    year_of = {cycle.id: year for year, cycle in catalogue.cycles.items()}
    cycle_ids = [catalogue.cycles[year].id for year in {p.year for p in plan.submissions.values()}]
    found = {}
    # Lean rows (no organisation or cycle objects): a large file names tens of thousands of submissions.
    for ids in _chunks(list(key_of), 5000):
        queryset = Submission.objects.filter(organization_id__in=ids, cycle_id__in=cycle_ids).only(
            "id", "organization_id", "cycle_id", "status"
        )
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        for submission in queryset:
            key = (key_of[submission.organization_id], year_of[submission.cycle_id])
            if key in plan.submissions:
                found[key] = submission
    return found


@dataclass
class _Held:
    """An answer Milepost holds: its row id, version, visibility and plain value."""

    id: int
    version: int
    is_visible: bool
    value: Any


def _held_answers(submission_ids: list[int], catalogue: _Catalogue) -> dict[int, dict[str, _Held]]:
    """{submission id: {question code: _Held}} in two queries."""
    held: dict[int, dict[str, _Held]] = {pk: {} for pk in submission_ids}
    if not submission_ids:
        return held
    codes_of: dict[int, list[str]] = {}
    for answer_id, option_id in Answer.options.through.objects.filter(
        answer__submission_id__in=submission_ids
    ).values_list("answer_id", "option_id"):
        codes_of.setdefault(answer_id, []).append(catalogue.option_code[option_id])
    rows = Answer.objects.filter(submission_id__in=submission_ids).values_list(
        "id", "submission_id", "question_id", "value_bool", "value_int", "value_text", "version", "is_visible"
    )
    for pk, submission_id, question_id, value_bool, value_int, value_text, version, visible in rows:
        question = catalogue.question_by_id[question_id]
        value = plain_value(question, value_bool, value_int, value_text, codes_of.get(pk, []))
        held[submission_id][question.code] = _Held(pk, version, visible, value)
    return held


def _held_mileposts(submission_ids: list[int]) -> dict[int, dict[str, int]]:
    """{submission id: {milepost code: row id}}."""
    held: dict[int, dict[str, int]] = {pk: {} for pk in submission_ids}
    for pk, submission_id, code in SubmissionMilepost.objects.filter(
        submission_id__in=submission_ids
    ).values_list("id", "submission_id", "milepost__code"):
        held[submission_id][code] = pk
    return held


def _final_values(planned: PlannedSubmission, held: dict[str, _Held], replace: bool) -> dict[str, Any]:
    final = {} if replace else {code: h.value for code, h in held.items()}
    final.update(planned.values())
    return final


def _compare_with_database(plan: ImportPlan, catalogue: _Catalogue) -> None:
    """Fill in each planned submission's counts and missing questions; refuse submitted/approved ones."""
    existing = _existing_submissions(plan, catalogue)
    for key, submission in existing.items():
        planned = plan.submissions[key]
        planned.existing_status = submission.status
        if submission.status == Submission.Status.APPROVED:
            plan.problems.append(
                Problem(
                    planned.first_line,
                    f"{planned.organization_name}'s {planned.year} submission is already approved; an "
                    "administrator must reopen it before an import can change its answers.",
                )
            )
        elif submission.status == Submission.Status.SUBMITTED:
            plan.problems.append(
                Problem(
                    planned.first_line,
                    f"{planned.organization_name}'s {planned.year} submission is waiting for review; return it "
                    "to the member (or approve it) before an import changes its answers.",
                )
            )
    for chunk in _chunks(list(plan.submissions.items())):
        ids = [existing[key].pk for key, _ in chunk if key in existing]
        held_answers = _held_answers(ids, catalogue)
        held_mileposts = _held_mileposts(ids)
        for key, planned in chunk:
            submission = existing.get(key)
            held = held_answers.get(submission.pk, {}) if submission else {}
            mileposts = held_mileposts.get(submission.pk, {}) if submission else {}
            for code, value in planned.answers.items():
                if code not in held or not is_answered(held[code].value):
                    planned.added += 1
                elif held[code].value == value:
                    planned.unchanged += 1
                else:
                    planned.changed += 1
            planned.removed = sum(1 for code in held if code not in planned.answers)
            planned.mileposts_added = sum(1 for code in planned.mileposts if code not in mileposts)
            planned.mileposts_removed = sum(1 for code in mileposts if code not in planned.mileposts)
            final = _final_values(planned, held, plan.replace)
            planned.missing = [q.code for q in missing_required(catalogue.questions_of(planned.year), final)]


def incomplete_problems(plan: ImportPlan) -> list[Problem]:
    """One problem per submission that would still miss required answers, listing them by code."""
    return [
        Problem(
            p.first_line,
            f"{p.organization_name}'s {p.year} submission would miss {len(p.missing)} required "
            f"answer{'s' if len(p.missing) != 1 else ''}: {', '.join(p.missing)}.",
        )
        for p in plan.incomplete
    ]


# --- Writing --------------------------------------------------------------------------------------------


@transaction.atomic
def responses_import(
    *,
    file: BinaryIO | None = None,
    text: str | None = None,
    actor: User | None = None,
    approve: bool = False,
    replace: bool = False,
    create_organizations: bool = False,
    dry_run: bool = False,
    source: str = "",
    progress: bool = False,
) -> ImportResult:
    """Check then import a CSV file; raises ImportRejected (nothing written) when any row is invalid.

    Merges by default (answers the file does not mention are kept); `replace` removes them. `dry_run`
    checks and reports, writing nothing. With `approve`, every submission must be complete (else
    ImportRejected lists the missing questions) and all are submitted and approved in one set-based step
    (one recompute signal per year); without it, incomplete submissions are imported as drafts.
    """
    plan = responses_parse(
        file=file, text=text, create_organizations=create_organizations, replace=replace, progress=progress
    )
    if not plan.is_valid:
        raise ImportRejected(plan.problems)
    if approve and plan.incomplete:
        raise ImportRejected(incomplete_problems(plan))
    if approve and actor is not None and not actor.is_reviewer:
        raise workflow.TransitionError("Only coalition reviewers can approve imported submissions.")
    result = ImportResult(plan=plan, dry_run=dry_run)
    summary = plan.summary()
    if dry_run:
        result.submissions_created = summary["new_submissions"]
        result.submissions_updated = summary["updated_submissions"]
        result.organizations_created = summary["new_organizations"]
        result.added, result.changed = summary["added"], summary["changed"]
        result.removed, result.mileposts = summary["removed"], summary["mileposts"]
        return result
    now = timezone.now()
    catalogue = _Catalogue()
    note = f"Imported from {source}" if source else "Imported"

    for organization in _organizations_create(plan.new_organizations):
        catalogue.organizations[name_key(organization.name)] = organization
        result.organizations_created += 1

    existing = _existing_submissions(plan, catalogue, lock=True)
    locked_out = [
        Problem(
            plan.submissions[key].first_line,
            f"{plan.submissions[key].organization_name}'s {key[1]} submission was "
            f"{s.get_status_display().lower()} while the file was being checked; nothing was imported. "
            "Return or reopen it, then import again.",
        )
        for key, s in existing.items()
        if s.status in (Submission.Status.SUBMITTED, Submission.Status.APPROVED)
    ]
    if locked_out:
        raise ImportRejected(locked_out)
    to_create = {
        key: Submission(
            organization_id=catalogue.organizations[name_key(p.organization_name)].id,
            cycle=catalogue.cycles[p.year],
            created_at=now,
            updated_at=now,
            last_edited_by=actor,
        )
        for key, p in plan.submissions.items()
        if key not in existing
    }
    Submission.objects.bulk_create(to_create.values(), batch_size=2000)
    result.submissions_created = len(to_create)
    result.submissions_updated = len(plan.submissions) - len(to_create)
    existing.update(to_create)

    items = list(plan.submissions.items())
    bar = tqdm(total=len(items), desc="Importing", unit=" submissions", disable=not progress, file=sys.stderr)
    for chunk in _chunks(items):
        _write_chunk(chunk, existing, catalogue, result, actor=actor, note=note, now=now)
        bar.update(len(chunk))
    bar.close()
    touched = [s.pk for s in existing.values()]
    for ids in _chunks(touched, 5000):
        Submission.objects.filter(pk__in=ids).update(updated_at=now, last_edited_by=actor)

    if approve:
        approved = workflow.submissions_submit_and_approve(submission_ids=touched, reviewer=actor, note=note)
        result.approved = len(approved)
    return result


def _write_chunk(chunk, existing, catalogue, result, *, actor, note, now) -> None:
    """Write one chunk of submissions: answers added or changed, removals, mileposts, one audit event each."""
    replace = result.plan.replace
    ids = [existing[key].pk for key, _ in chunk]
    held_answers = _held_answers(ids, catalogue)
    held_mileposts = _held_mileposts(ids)
    scratch = Answer()
    actor_id = actor.pk if actor else None
    answers: list[tuple] = []  # rows under ANSWER_COLUMNS
    answer_options: list[list[int]] = []
    to_delete: list[int] = []
    show, hide = [], []
    mileposts_new: list[SubmissionMilepost] = []
    mileposts_gone: list[int] = []
    events: list[tuple] = []  # rows under bulk.AUDIT_COLUMNS
    for key, planned in chunk:
        submission = existing[key]
        held = held_answers[submission.pk]
        held_codes = held_mileposts[submission.pk]
        questions = catalogue.questions_of(planned.year)
        final = _final_values(planned, held, replace)
        visible = visible_codes(questions, final)
        old, new = {}, {}
        counts = {"added": 0, "changed": 0, "unchanged": 0, "removed": 0}
        for code, value in planned.answers.items():
            before = held.get(code)
            if before is not None and before.value == value:
                counts["unchanged"] += 1
                continue
            question = catalogue.questions[(planned.year, code)]
            # One scratch instance puts the value into the typed columns; rows are plain tuples after that.
            codes = answer_value_set(scratch, question, value)
            answers.append(
                (
                    submission.pk,
                    question.id,
                    scratch.value_bool,
                    scratch.value_int,
                    scratch.value_text,
                    code in visible,
                    Answer.Provenance.NEW,
                    (before.version + 1) if before else 1,
                    now,
                    actor_id,
                )
            )
            answer_options.append([catalogue.options[question.id][c].id for c in codes])
            if before is not None:
                to_delete.append(before.id)
                old[code] = before.value
            counts["changed" if before is not None and is_answered(before.value) else "added"] += 1
            new[code] = value
        for code, before in held.items():
            if code in planned.answers:
                continue
            if replace:
                to_delete.append(before.id)
                old[code] = before.value
                counts["removed"] += 1
            elif before.is_visible != (code in visible):
                (show if code in visible else hide).append(before.id)
        added_mileposts = [code for code in planned.mileposts if code not in held_codes]
        for code in added_mileposts:
            mileposts_new.append(
                SubmissionMilepost(
                    submission_id=submission.pk,
                    milepost_id=catalogue.mileposts[code].id,
                    description="Imported.",
                    updated_at=now,
                    updated_by=actor,
                )
            )
        removed_mileposts = sorted(c for c in held_codes if c not in planned.mileposts) if replace else []
        mileposts_gone.extend(held_codes[c] for c in removed_mileposts)
        if added_mileposts:
            new[MILEPOST + "s"] = sorted(added_mileposts)
        if removed_mileposts:
            old[MILEPOST + "s"] = removed_mileposts
        events.append(
            (
                AuditEvent.Kind.IMPORT,
                submission.pk,
                submission.organization_id,
                actor_id,
                f"{counts['added']} added, {counts['changed']} changed, {counts['unchanged']} unchanged, "
                f"{counts['removed']} removed; {len(added_mileposts)} mileposts added",
                old or None,
                new,
                note,
                now,
            )
        )
        result.added += counts["added"]
        result.changed += counts["changed"]
        result.removed += counts["removed"]
        result.mileposts += len(added_mileposts)

    # Set-based deletes: the ORM's collector would first load every answer. Nothing else points at an
    # answer but its option rows, deleted first.
    if to_delete:
        Answer.options.through.objects.filter(answer_id__in=to_delete).delete()
        Answer.objects.filter(pk__in=to_delete)._raw_delete(Answer.objects.db)
    if show:
        Answer.objects.filter(pk__in=show).update(is_visible=True)
    if hide:
        Answer.objects.filter(pk__in=hide).update(is_visible=False)
    answer_ids = _answers_insert(answers)
    rows_insert(
        Answer.options.through,
        ("answer_id", "option_id"),
        [
            (answer_id, option_id)
            for answer_id, option_ids in zip(answer_ids, answer_options, strict=True)
            for option_id in option_ids
        ],
    )
    if mileposts_gone:
        SubmissionMilepost.objects.filter(pk__in=mileposts_gone).delete()
    SubmissionMilepost.objects.bulk_create(mileposts_new, batch_size=5000)
    audit_rows_insert(events)


ANSWER_COLUMNS = (
    "submission_id",
    "question_id",
    "value_bool",
    "value_int",
    "value_text",
    "is_visible",
    "provenance",
    "version",
    "updated_at",
    "updated_by_id",
)


def _answers_insert(rows: list[tuple]) -> list[int]:
    """Insert answer rows (ANSWER_COLUMNS); returns their ids in order.

    On PostgreSQL the ids are drawn from the table's sequence and the rows sent with COPY: building a model
    instance and an INSERT statement per answer is what made a large import slow.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        answers = [Answer(**dict(zip(ANSWER_COLUMNS, row, strict=True))) for row in rows]
        Answer.objects.bulk_create(answers, batch_size=5000)
        return [answer.pk for answer in answers]
    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        ids = [row[0] for row in cursor.fetchall()]
    rows_insert(Answer, ("id", *ANSWER_COLUMNS), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
    return ids


def _organizations_create(names: list[str]) -> list[Organization]:
    """Create organisations in bulk, with unique slugs as `accounts.organization_create` gives them."""
    if len(names) <= 5:
        return [organization_create(name=name) for name in names]
    from django.utils.text import slugify

    taken = set(Organization.objects.values_list("slug", flat=True))
    organizations = []
    for name in names:
        base = slugify(name)[:180] or "organisation"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        organizations.append(Organization(name=name, slug=slug))
    return Organization.objects.bulk_create(organizations, batch_size=2000)


# --- The template and codebook the import page offers ----------------------------------------------------


def import_template_csv(*, cycle: SurveyCycle, organization_name: str, out) -> None:
    """A ready-to-fill file: the header, then one example row per question of `cycle` (value left empty)."""
    import csv

    writer = csv.writer(out)
    writer.writerow(REQUIRED_COLUMNS)
    for question in Question.objects.filter(cycle=cycle).order_by("section__position", "position"):
        writer.writerow([organization_name, cycle.year, question.code, ""])
    writer.writerow([organization_name, cycle.year, MILEPOST, ""])


def import_codebook_csv(*, cycle: SurveyCycle, out) -> None:
    """What each question code means and which values it takes, for people filling an import file."""
    import csv

    writer = csv.writer(out)
    writer.writerow(["question", "type", "required", "allowed values", "shown when", "text"])
    questions = (
        Question.objects.filter(cycle=cycle)
        .select_related("condition_question")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
    for q in questions:
        allowed = answer_type(q).allowed_values(q)
        shown = (
            f"{q.condition_question.code} {q.condition_operator} {q.condition_value}"
            if q.has_condition
            else ""
        )
        writer.writerow(
            [q.code, q.get_type_display(), "yes" if q.required else "no", allowed.strip(), shown, q.text]
        )
    for milepost in Milepost.objects.filter(is_active=True, introduced_year__lte=cycle.year).order_by("code"):
        writer.writerow([MILEPOST, "Milepost", "no", milepost.code, "", milepost.title])
