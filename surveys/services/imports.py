"""Bulk import of submissions from CSV (`organization,year,question,value`), all or nothing.

`responses_parse` validates every row first and reports every problem with its line number; `responses_import`
writes nothing unless the whole file is valid, then replaces the answers of each (organisation, year) with
bulk writes, records one IMPORT audit row per submission (old and new values) and, when asked, approves the
submissions through the same workflow service the review page uses (one recompute signal per year).

File format (UTF-8, header row, extra columns ignored):
- a multiple-choice value lists option codes separated by `;` (`none` cannot be combined);
- single choice: one option code; yes/no: `yes` or `no`; whole numbers within the question's limits;
- a row whose question is `milepost` names one milepost code advanced that year (one row per milepost).
"""

import csv
import io
import sys
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from ..conditions import visible_codes
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
from .exports import spreadsheet_unsafe

REQUIRED_COLUMNS = ("organization", "year", "question", "value")
MILEPOST = "milepost"
_YES = {"yes": True, "no": False}


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


@dataclass
class PlannedSubmission:
    organization_name: str
    year: int
    answers: dict[str, Any] = field(default_factory=dict)  # question code -> parsed value
    mileposts: list[str] = field(default_factory=list)
    organization_exists: bool = True
    existing_status: str | None = None  # None: a new submission
    first_line: int = 0


@dataclass
class ImportPlan:
    """The validated content of a file, or its problems."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    submissions: dict[tuple[str, int], PlannedSubmission] = field(default_factory=dict)
    new_names: dict[str, str] = field(default_factory=dict)  # casefolded name -> first spelling seen

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def new_organizations(self) -> list[str]:
        return sorted({p.organization_name for p in self.submissions.values() if not p.organization_exists})

    def summary(self) -> dict[str, int]:
        planned = self.submissions.values()
        return {
            "rows": self.rows,
            "submissions": len(self.submissions),
            "new_submissions": sum(1 for p in planned if p.existing_status is None),
            "replaced_submissions": sum(1 for p in planned if p.existing_status is not None),
            "new_organizations": len(self.new_organizations),
            "answers": sum(len(p.answers) for p in planned),
            "mileposts": sum(len(p.mileposts) for p in planned),
        }


@dataclass
class ImportResult:
    plan: ImportPlan
    organizations_created: int = 0
    submissions_created: int = 0
    submissions_replaced: int = 0
    answers: int = 0
    mileposts: int = 0
    approved: int = 0
    dry_run: bool = False


# --- Parsing and validation -----------------------------------------------------------------------------


class _Catalogue:
    """Everything validation needs, loaded once: cycles, questions with options, organisations, mileposts."""

    def __init__(self):
        self.cycles = {c.year: c for c in SurveyCycle.objects.all()}
        self.questions: dict[tuple[int, str], Question] = {}
        self.options: dict[int, dict[str, Option]] = {}
        for question in Question.objects.select_related("cycle", "condition_question").order_by(
            "section__position", "position"
        ):
            self.questions[(question.cycle.year, question.code)] = question
            self.options[question.id] = {}
        for option in Option.objects.all():
            if option.question_id in self.options:
                self.options[option.question_id][option.code] = option
        self.organizations = {o.name.casefold(): o for o in Organization.objects.all()}
        self.mileposts = {m.code: m for m in Milepost.objects.all()}

    def questions_of(self, year: int) -> list[Question]:
        return [q for (y, _), q in self.questions.items() if y == year]


def _parse_value(question: Question, raw: str, options: dict[str, Option]) -> tuple[Any, str | None]:
    """(value, None) or (None, problem message) for one cell."""
    text = raw.strip()
    if text == "":
        return None, f"no value for {question.code}; leave the row out to leave the question unanswered."
    match question.type:
        case Question.Type.YES_NO:
            if text.lower() not in _YES:
                return None, f"{question.code} is a yes/no question: write yes or no, not “{text}”."
            return _YES[text.lower()], None
        case Question.Type.INTEGER:
            try:
                number = int(text)
            except ValueError:
                return None, f"{question.code} needs a whole number, not “{text}”."
            if question.min_value is not None and number < question.min_value:
                return None, f"{question.code} must be at least {question.min_value}; “{text}” is too small."
            if question.max_value is not None and number > question.max_value:
                return None, f"{question.code} must be at most {question.max_value}; “{text}” is too large."
            return number, None
        case Question.Type.SINGLE_CHOICE:
            if ";" in text:
                return None, f"{question.code} takes one option only; “{text}” lists several."
            if text not in options:
                return None, _unknown_options(question, [text], options)
            return text, None
        case Question.Type.MULTIPLE_CHOICE:
            codes = sorted({code.strip() for code in text.split(";") if code.strip()})
            unknown = [code for code in codes if code not in options]
            if unknown:
                return None, _unknown_options(question, unknown, options)
            if Option.EXCLUSIVE_CODE in codes and len(codes) > 1:
                return None, f"{question.code}: “none” cannot be combined with other options ({text})."
            return codes, None
        case _:
            return text, None


def _unknown_options(question: Question, codes: list[str], options: dict[str, Option]) -> str:
    listed = ", ".join(f"“{c}”" for c in codes)
    return f"{question.code} has no option {listed}; its options are {', '.join(sorted(options))}."


def responses_parse(*, text: str, create_organizations: bool = False, progress: bool = False) -> ImportPlan:
    """Validate a whole CSV file; the plan holds every problem (with line numbers) or what would be written."""
    plan = ImportPlan()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        plan.problems.append(
            Problem(
                1,
                f"the header row must name the columns {','.join(REQUIRED_COLUMNS)}; missing {', '.join(missing)}.",
            )
        )
        return plan
    reader.fieldnames = header
    catalogue = _Catalogue()
    seen: dict[tuple[str, int, str], int] = {}
    lines = tqdm(reader, desc="Checking", unit=" rows", disable=not progress, file=sys.stderr)
    line = 1
    try:
        for row in lines:
            plan.rows += 1
            line = reader.line_num
            problem = _check_row(plan, catalogue, row, line, seen, create_organizations)
            if problem:
                plan.problems.append(Problem(line, problem))
    except csv.Error as error:
        # Typically a stray quote: everything after it reads as one huge cell.
        plan.problems.append(
            Problem(
                line + 1,
                f'the file cannot be read as CSV from this line on ({error}). Look for a quote mark (") '
                "that is not closed, fix it and import again.",
            )
        )
        return plan
    if plan.rows == 0:
        plan.problems.append(Problem(2, "the file has a header but no rows."))
    _check_existing_submissions(plan, catalogue)
    return plan


def _check_row(plan, catalogue, row, line, seen, create_organizations) -> str | None:
    # Cells our export neutralised for spreadsheets ('=…) import back as they were.
    name = spreadsheet_unsafe((row.get("organization") or "").strip())
    raw_year = (row.get("year") or "").strip()
    code = (row.get("question") or "").strip()
    raw_value = spreadsheet_unsafe(row.get("value") or "")
    if not name:
        return "the organisation is empty."
    organization = catalogue.organizations.get(name.casefold())
    if organization is None and not create_organizations:
        return (
            f"no organisation is called “{name}”. Check the spelling, or import with "
            "--create-organizations (“Create organisations” in the browser) to add it."
        )
    try:
        year = int(raw_year)
    except ValueError:
        return f"the year must be a number like 2025, not “{raw_year}”."
    if year not in catalogue.cycles:
        return f"there is no survey cycle for {year}; create the {year} questionnaire first."
    if organization is None:
        # Spelt differently on several rows, a new organisation is still one organisation.
        name = plan.new_names.setdefault(name.casefold(), name)
    key = (organization.name if organization else name, year)
    planned = plan.submissions.get(key)
    if planned is None:
        planned = plan.submissions[key] = PlannedSubmission(
            organization_name=key[0], year=year, organization_exists=organization is not None, first_line=line
        )
    if code == MILEPOST:
        milepost_code = raw_value.strip()
        milepost = catalogue.mileposts.get(milepost_code)
        if milepost is None:
            return f"no milepost has the code “{milepost_code}”; use a code from the milepost catalogue."
        if milepost.introduced_year > year:
            return (
                f"milepost {milepost_code} joins the catalogue in {milepost.introduced_year}, after {year}."
            )
        seen_key = (key[0].casefold(), year, f"{MILEPOST}:{milepost_code}")
        if seen_key in seen:
            return f"milepost {milepost_code} is listed twice for {key[0]} in {year} (also on line {seen[seen_key]})."
        seen[seen_key] = line
        planned.mileposts.append(milepost_code)
        return None
    question = catalogue.questions.get((year, code))
    if question is None:
        return f"the {year} questionnaire has no question “{code}”."
    seen_key = (key[0].casefold(), year, code)
    if seen_key in seen:
        return (
            f"{key[0]} has a second answer to {code} for {year} (first on line {seen[seen_key]}); "
            "keep one row per question and list several options in it separated by “;”."
        )
    seen[seen_key] = line
    value, problem = _parse_value(question, raw_value, catalogue.options[question.id])
    if problem:
        return problem
    planned.answers[code] = value
    return None


def _check_existing_submissions(plan: ImportPlan, catalogue: _Catalogue) -> None:
    names = {p.organization_name for p in plan.submissions.values() if p.organization_exists}
    years = {p.year for p in plan.submissions.values()}
    if not names:
        return
    existing = Submission.objects.filter(organization__name__in=names, cycle__year__in=years).values_list(
        "organization__name", "cycle__year", "status"
    )
    for name, year, status in existing:
        planned = plan.submissions.get((name, year))
        if planned is None:
            continue
        planned.existing_status = status
        if status == Submission.Status.APPROVED:
            plan.problems.append(
                Problem(
                    planned.first_line,
                    f"{name}'s {year} submission is already approved; an administrator must reopen it "
                    "before an import can replace its answers.",
                )
            )
        elif status == Submission.Status.SUBMITTED:
            plan.problems.append(
                Problem(
                    planned.first_line,
                    f"{name}'s {year} submission is waiting for review; return it to the member (or approve "
                    "it) before an import replaces its answers.",
                )
            )
    plan.problems.sort(key=lambda p: p.line)


# --- Writing --------------------------------------------------------------------------------------------


@transaction.atomic
def responses_import(
    *,
    text: str,
    actor: User | None = None,
    approve: bool = False,
    create_organizations: bool = False,
    dry_run: bool = False,
    source: str = "",
    progress: bool = False,
) -> ImportResult:
    """Validate then import a CSV file; raises ImportRejected (nothing written) when any row is invalid.

    `dry_run` validates and reports what would be written, and writes nothing. With `approve`, every imported
    submission is approved through `workflow.submissions_approve` (one recompute signal per year).
    """
    plan = responses_parse(text=text, create_organizations=create_organizations, progress=progress)
    if not plan.is_valid:
        raise ImportRejected(plan.problems)
    result = ImportResult(plan=plan, dry_run=dry_run)
    if dry_run:
        summary = plan.summary()
        result.submissions_created = summary["new_submissions"]
        result.submissions_replaced = summary["replaced_submissions"]
        result.organizations_created = summary["new_organizations"]
        result.answers, result.mileposts = summary["answers"], summary["mileposts"]
        return result
    if approve and actor is not None and not actor.is_reviewer:
        raise workflow.TransitionError("Only coalition reviewers can approve imported submissions.")
    now = timezone.now()
    catalogue = _Catalogue()
    note = f"Imported from {source}" if source else "Imported"

    for organization in _organizations_create(plan.new_organizations):
        catalogue.organizations[organization.name.casefold()] = organization
        result.organizations_created += 1

    planned_list = list(plan.submissions.values())
    org_ids = {
        p.organization_name: catalogue.organizations[p.organization_name.casefold()].id for p in planned_list
    }
    # Lock the submissions the file replaces, and check again under the lock: a member may have submitted
    # (or a reviewer approved) since the file was validated.
    existing = {
        (s.organization_id, s.cycle.year): s
        for s in Submission.objects.filter(
            organization_id__in=set(org_ids.values()), cycle__year__in={p.year for p in planned_list}
        )
        .select_related("cycle")
        .select_for_update(of=("self",))
    }
    first_lines = {
        (org_ids[p.organization_name], p.year): (p.first_line, p.organization_name) for p in planned_list
    }
    locked_out = [
        Problem(
            first_lines[key][0],
            f"{first_lines[key][1]}'s {key[1]} submission was {s.get_status_display().lower()} "
            "while the file was being checked; nothing was imported. Return or reopen it, then import again.",
        )
        for key, s in existing.items()
        if s.status in (Submission.Status.SUBMITTED, Submission.Status.APPROVED)
    ]
    if locked_out:
        raise ImportRejected(locked_out)
    to_create = [
        Submission(
            organization_id=org_ids[p.organization_name],
            cycle=catalogue.cycles[p.year],
            created_at=now,
            updated_at=now,
            last_edited_by=actor,
        )
        for p in planned_list
        if (org_ids[p.organization_name], p.year) not in existing
    ]
    Submission.objects.bulk_create(to_create, batch_size=2000)
    result.submissions_created = len(to_create)
    result.submissions_replaced = len(planned_list) - len(to_create)
    for submission in to_create:
        existing[(submission.organization_id, submission.cycle.year)] = submission

    old_values = _old_values([s.pk for s in existing.values() if s.pk and s not in to_create])

    # Replace: the file is the whole truth for the submissions it names.
    touched_ids = [existing[(org_ids[p.organization_name], p.year)].pk for p in planned_list]
    # Set-based deletes: the ORM's collector would first load every answer (slow for 100,000 rows). Nothing
    # else points at an answer but its option rows, deleted first.
    Answer.options.through.objects.filter(answer__submission_id__in=touched_ids).delete()
    Answer.objects.filter(submission_id__in=touched_ids)._raw_delete(Answer.objects.db)
    SubmissionMilepost.objects.filter(submission_id__in=touched_ids).delete()

    answers: list[Answer] = []
    answer_options: list[list[int]] = []
    advanced: list[SubmissionMilepost] = []
    events: list[AuditEvent] = []
    questions_by_year: dict[int, list[Question]] = {}
    bar = tqdm(planned_list, desc="Preparing", unit=" submissions", disable=not progress, file=sys.stderr)
    for planned in bar:
        submission = existing[(org_ids[planned.organization_name], planned.year)]
        questions = questions_by_year.setdefault(planned.year, catalogue.questions_of(planned.year))
        visible = visible_codes(questions, planned.answers)
        for code, value in planned.answers.items():
            question = catalogue.questions[(planned.year, code)]
            answer = Answer(
                submission_id=submission.pk,
                question_id=question.id,
                is_visible=code in visible,
                updated_at=now,
                updated_by=actor,
            )
            codes = answer_value_set(answer, question, value)
            answers.append(answer)
            answer_options.append([catalogue.options[question.id][code].id for code in codes])
        for code in planned.mileposts:
            advanced.append(
                SubmissionMilepost(
                    submission_id=submission.pk,
                    milepost_id=catalogue.mileposts[code].id,
                    description="Imported.",
                    updated_at=now,
                    updated_by=actor,
                )
            )
        new_value = {**planned.answers, MILEPOST + "s": sorted(planned.mileposts)}
        events.append(
            AuditEvent.about(
                submission,
                kind=AuditEvent.Kind.IMPORT,
                actor=actor,
                subject=f"{len(planned.answers)} answers, {len(planned.mileposts)} mileposts",
                old=old_values.get(submission.pk),
                new=new_value,
                note=note,
                created_at=now,
            )
        )

    Answer.objects.bulk_create(answers, batch_size=5000)
    through = Answer.options.through
    through_rows = [
        through(answer_id=answer.pk, option_id=option_id)
        for answer, option_ids in zip(answers, answer_options, strict=True)
        for option_id in option_ids
    ]
    through.objects.bulk_create(through_rows, batch_size=10000)
    SubmissionMilepost.objects.bulk_create(advanced, batch_size=5000)
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    Submission.objects.filter(pk__in=touched_ids).update(updated_at=now, last_edited_by=actor)
    result.answers, result.mileposts = len(answers), len(advanced)

    if approve:
        submissions = [existing[(org_ids[p.organization_name], p.year)] for p in planned_list]
        for submission in tqdm(submissions, desc="Submitting", disable=not progress, file=sys.stderr):
            if submission.status != Submission.Status.SUBMITTED:
                workflow.submission_submit_on_behalf(submission=submission, actor=actor, note=note)
        approved = workflow.submissions_approve(submissions=submissions, reviewer=actor, note=note)
        result.approved = len(approved)
    return result


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


def _old_values(submission_ids: list[int]) -> dict[int, dict]:
    """{submission id: {question code: value, "mileposts": [...]}} before an import replaces them."""
    if not submission_ids:
        return {}
    from ..conditions import answer_value

    old: dict[int, dict] = {pk: {} for pk in submission_ids}
    for answer in (
        Answer.objects.filter(submission_id__in=submission_ids)
        .select_related("question")
        .prefetch_related("options")
    ):
        old[answer.submission_id][answer.question.code] = answer_value(answer, answer.question)
    for submission_id, code in SubmissionMilepost.objects.filter(
        submission_id__in=submission_ids
    ).values_list("submission_id", "milepost__code"):
        old[submission_id].setdefault(MILEPOST + "s", []).append(code)
    return {pk: values for pk, values in old.items() if values}
