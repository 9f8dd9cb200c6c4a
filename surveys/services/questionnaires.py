"""Questionnaires as data: load a year's YAML file, copy a year to the next, load the milepost catalogue.

The YAML schema is documented at the top of `surveys/questionnaires/2025.yaml`. Loading is idempotent and
never destroys answers: a change that would (removing or retyping an answered question, removing an answered
option) is refused as a whole, with a message naming every problem.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from ..answer_types import CHOICE_TYPES
from ..models import Answer, Area, Milepost, Option, Question, Section, SurveyCycle

QUESTION_TYPES = set(Question.Type.values)


class QuestionnaireError(Exception):
    """A questionnaire file that cannot be loaded as it is; the message says what to change."""


@dataclass
class LoadReport:
    """What a load changed, in words a person running the command can check."""

    year: int
    cycle_created: bool = False
    sections_added: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)
    questions_added: list[str] = field(default_factory=list)
    questions_updated: list[str] = field(default_factory=list)
    questions_removed: list[str] = field(default_factory=list)
    options_added: list[str] = field(default_factory=list)
    options_updated: list[str] = field(default_factory=list)
    options_removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.cycle_created or any(
            getattr(self, name) for name in self.__dataclass_fields__ if isinstance(getattr(self, name), list)
        )

    def lines(self) -> list[str]:
        lines = [f"Survey {self.year}: {'created' if self.cycle_created else 'already existed'}."]
        for name in self.__dataclass_fields__:
            codes = getattr(self, name)
            if isinstance(codes, list) and codes:
                shown = ", ".join(codes[:12]) + (f" and {len(codes) - 12} more" if len(codes) > 12 else "")
                lines.append(f"{name.replace('_', ' ').capitalize()} ({len(codes)}): {shown}")
        if not self.changed:
            lines.append("Nothing changed.")
        return lines


def _read(path_or_data: str | Path | dict) -> dict:
    if isinstance(path_or_data, dict):
        return path_or_data
    path = Path(path_or_data)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise QuestionnaireError(f"Cannot read {path}: {error.strerror}.") from error
    except yaml.YAMLError as error:
        raise QuestionnaireError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise QuestionnaireError(f"{path} must hold a mapping with `year` and `sections`.")
    return data


def _condition(spec: dict) -> tuple[str, str, str]:
    """(question code, operator, value) of a question's `condition`, or empty strings."""
    condition = spec.get("condition") or {}
    if not condition:
        return "", "", ""
    for operator in Question.ConditionOperator.values:
        if operator in condition:
            return str(condition.get("question", "")), operator, str(condition[operator]).lower()
    return str(condition.get("question", "")), "", ""


def _validate(data: dict) -> None:
    problems = []
    if not isinstance(data.get("year"), int):
        problems.append("`year` must be a whole number such as 2025.")
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.append("`sections` must list at least one section.")
        sections = []
    seen_sections, seen_questions = set(), {}
    for section in sections:
        code = section.get("code")
        if not code or not section.get("title"):
            problems.append(f"Every section needs a `code` and a `title` (section {code or '?'}).")
        if code in seen_sections:
            problems.append(f"Section code `{code}` is used twice.")
        seen_sections.add(code)
        for question in section.get("questions") or []:
            qcode, qtype = question.get("code"), question.get("type")
            where = f"question `{qcode or '?'}` in section `{code}`"
            if not qcode or not question.get("text"):
                problems.append(f"{where}: needs a `code` and a `text`.")
            if qcode in seen_questions:
                problems.append(f"Question code `{qcode}` is used twice.")
            if qtype not in QUESTION_TYPES:
                problems.append(f"{where}: type `{qtype}` is not one of {', '.join(sorted(QUESTION_TYPES))}.")
            options = question.get("options") or []
            option_codes = [option.get("code") for option in options]
            if qtype in CHOICE_TYPES and not options:
                problems.append(f"{where}: a choice question needs `options`.")
            if qtype not in CHOICE_TYPES and options:
                problems.append(f"{where}: only choice questions have `options`.")
            if len(set(option_codes)) != len(option_codes) or not all(option_codes):
                problems.append(f"{where}: every option needs a `code`, used once.")
            low, high = question.get("min"), question.get("max")
            if low is not None and high is not None and low > high:
                problems.append(f"{where}: `min` is above `max`.")
            parent, operator, value = _condition(question)
            if question.get("condition"):
                if parent not in seen_questions:
                    problems.append(f"{where}: its condition must name an earlier question, not `{parent}`.")
                elif not operator:
                    problems.append(f"{where}: a condition needs `equals` or `includes`.")
                elif operator == "includes" and value not in seen_questions[parent]:
                    problems.append(f"{where}: `{parent}` has no option `{value}`.")
            seen_questions[qcode] = set(option_codes)
    if problems:
        raise QuestionnaireError("The questionnaire cannot be loaded:\n- " + "\n- ".join(problems))


def _cycle_dates(data: dict, opens_on, closes_on) -> tuple[datetime.date, datetime.date]:
    year = data["year"]
    opens_on = opens_on or data.get("opens_on") or datetime.date(year, 9, 1)
    closes_on = closes_on or data.get("closes_on") or datetime.date(year, 12, 15)
    if isinstance(opens_on, str):
        opens_on = datetime.date.fromisoformat(opens_on)
    if isinstance(closes_on, str):
        closes_on = datetime.date.fromisoformat(closes_on)
    if closes_on < opens_on:
        raise QuestionnaireError(f"The survey cannot close ({closes_on}) before it opens ({opens_on}).")
    return opens_on, closes_on


def _refusals(cycle: SurveyCycle, wanted: dict[str, dict]) -> list[str]:
    """Changes that would lose answers: removing or retyping an answered question, removing an answered option."""
    answered = set(
        Answer.objects.filter(question__cycle=cycle).values_list("question__code", flat=True).distinct()
    )
    answered_options = set(
        Answer.options.through.objects.filter(answer__question__cycle=cycle)
        .values_list("option__question__code", "option__code")
        .distinct()
    )
    problems = []
    for code, qtype in Question.objects.filter(cycle=cycle).values_list("code", "type"):
        spec = wanted.get(code)
        if spec is None and code in answered:
            problems.append(f"Question `{code}` already has answers, so it cannot be removed.")
        elif spec is not None and spec["type"] != qtype and code in answered:
            problems.append(
                f"Question `{code}` already has answers, so it cannot change type from {qtype} to {spec['type']}."
            )
    for question_code, option_code in sorted(answered_options):
        spec = wanted.get(question_code)
        if spec is not None and option_code not in {o["code"] for o in spec.get("options") or []}:
            problems.append(
                f"Option `{option_code}` of question `{question_code}` already has answers, so it cannot be removed."
            )
    return problems


@transaction.atomic
def questionnaire_load(
    *, path_or_data: str | Path | dict, cycle_opens_on=None, cycle_closes_on=None
) -> LoadReport:
    """Create or update a year's cycle and questionnaire from a YAML file (or its parsed data). Idempotent.

    Updates wording, help, order, required, min/max and conditions; adds sections, questions and options;
    removes unanswered questions and options missing from the file. Raises QuestionnaireError, changing
    nothing, when the file is invalid or a change would lose answers.
    """
    data = _read(path_or_data)
    _validate(data)
    year = data["year"]
    report = LoadReport(year=year)
    cycle = SurveyCycle.objects.select_for_update().filter(year=year).first()
    if cycle is None:
        opens_on, closes_on = _cycle_dates(data, cycle_opens_on, cycle_closes_on)
        cycle = SurveyCycle.objects.create(
            year=year,
            title=data.get("title") or f"Annual survey {year}",
            intro=data.get("intro") or "",
            opens_on=opens_on,
            closes_on=closes_on,
        )
        report.cycle_created = True
    else:
        cycle.title = data.get("title") or cycle.title
        cycle.intro = data.get("intro", cycle.intro) or ""
        if cycle_opens_on or cycle_closes_on:
            cycle.opens_on, cycle.closes_on = _cycle_dates(data, cycle_opens_on, cycle_closes_on)
        cycle.save()

    wanted = {q["code"]: q for s in data["sections"] for q in s.get("questions") or []}
    problems = _refusals(cycle, wanted)
    if problems:
        raise QuestionnaireError(
            f"The {year} questionnaire was not changed, because answers would be lost:\n- "
            + "\n- ".join(problems)
        )

    sections = {section.code: section for section in Section.objects.filter(cycle=cycle)}
    questions = {question.code: question for question in Question.objects.filter(cycle=cycle)}
    options = {(o.question_id, o.code): o for o in Option.objects.filter(question__cycle=cycle)}

    position = 0
    for section_position, section_spec in enumerate(data["sections"], start=1):
        section = sections.get(section_spec["code"])
        values = {
            "title": section_spec["title"],
            "description": (section_spec.get("description") or "").strip(),
            "position": section_position,
        }
        if section is None:
            section = sections[section_spec["code"]] = Section.objects.create(
                cycle=cycle, code=section_spec["code"], **values
            )
            report.sections_added.append(section.code)
        elif any(getattr(section, name) != value for name, value in values.items()):
            Section.objects.filter(pk=section.pk).update(**values)

        for spec in section_spec.get("questions") or []:
            position += 1
            parent_code, operator, condition_value = _condition(spec)
            values = {
                "section": section,
                "type": spec["type"],
                "text": spec["text"].strip(),
                "help_text": (spec.get("help") or "").strip(),
                "required": bool(spec.get("required", True)),
                "position": position,
                "min_value": spec.get("min"),
                "max_value": spec.get("max"),
                "condition_question": questions[parent_code] if parent_code else None,
                "condition_operator": operator,
                "condition_value": condition_value,
            }
            question = questions.get(spec["code"])
            if question is None:
                question = questions[spec["code"]] = Question.objects.create(
                    cycle=cycle, code=spec["code"], **values
                )
                report.questions_added.append(question.code)
            else:
                changed = [name for name, value in values.items() if getattr(question, name) != value]
                if changed:
                    for name in changed:
                        setattr(question, name, values[name])
                    question.save(update_fields=changed)
                    if changed != ["position"]:  # Moving with its neighbours is not news.
                        report.questions_updated.append(question.code)

            wanted_options = spec.get("options") or []
            for option_position, option_spec in enumerate(wanted_options, start=1):
                option = options.pop((question.pk, option_spec["code"]), None)
                label = str(option_spec.get("label") or option_spec["code"])
                if option is None:
                    Option.objects.create(
                        question=question, code=option_spec["code"], label=label, position=option_position
                    )
                    report.options_added.append(f"{question.code}.{option_spec['code']}")
                elif (option.label, option.position) != (label, option_position):
                    option.label, option.position = label, option_position
                    option.save(update_fields=["label", "position"])
                    report.options_updated.append(f"{question.code}.{option.code}")

    # What is left was not in the file and (checked above) has no answers.
    kept_codes = {q.pk: q.code for q in questions.values() if q.code in wanted}
    stale_options = [option for (question_id, _), option in options.items() if question_id in kept_codes]
    if stale_options:
        Option.objects.filter(pk__in=[o.pk for o in stale_options]).delete()
        report.options_removed = sorted(f"{kept_codes[o.question_id]}.{o.code}" for o in stale_options)
    removed = [question for code, question in questions.items() if code not in wanted]
    if removed:
        Question.objects.filter(condition_question__in=removed).exclude(
            pk__in=[q.pk for q in removed]
        ).update(condition_question=None, condition_operator="", condition_value="")
        Question.objects.filter(pk__in=[q.pk for q in removed]).update(
            condition_question=None, condition_operator=""
        )
        Question.objects.filter(pk__in=[q.pk for q in removed]).delete()
        report.questions_removed = sorted(q.code for q in removed)
    wanted_sections = {s["code"] for s in data["sections"]}
    for code, section in sections.items():
        if code not in wanted_sections and not section.questions.exists():
            section.delete()
            report.sections_removed.append(code)
    return report


def questionnaire_export(*, cycle: SurveyCycle) -> dict:
    """A cycle's questionnaire in the YAML file's shape (what `questionnaire_load` reads)."""
    sections = []
    questions = (
        Question.objects.filter(cycle=cycle)
        .select_related("condition_question")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
    by_section: dict[int, list[dict]] = {}
    for question in questions:
        spec: dict[str, Any] = {
            "code": question.code,
            "type": question.type,
            "text": question.text,
            "help": question.help_text,
            "required": question.required,
        }
        if question.min_value is not None:
            spec["min"] = question.min_value
        if question.max_value is not None:
            spec["max"] = question.max_value
        if question.is_choice:
            spec["options"] = [{"code": o.code, "label": o.label} for o in question.options.all()]
        if question.has_condition:
            spec["condition"] = {
                "question": question.condition_question.code,
                question.condition_operator: question.condition_value,
            }
        by_section.setdefault(question.section_id, []).append(spec)
    for section in Section.objects.filter(cycle=cycle).order_by("position"):
        sections.append(
            {
                "code": section.code,
                "title": section.title,
                "description": section.description,
                "questions": by_section.get(section.pk, []),
            }
        )
    return {"year": cycle.year, "title": cycle.title, "intro": cycle.intro, "sections": sections}


def questionnaire_merge(base: dict, additions: dict) -> dict:
    """`base` with the sections and questions of `additions` added or replaced by code (a year's changes)."""
    merged = {**base, **{k: v for k, v in additions.items() if k not in ("sections", "based_on")}}
    sections = [
        {**section, "questions": list(section.get("questions") or [])} for section in base["sections"]
    ]
    by_code = {section["code"]: section for section in sections}
    for addition in additions.get("sections") or []:
        section = by_code.get(addition["code"])
        if section is None:
            section = {
                "code": addition["code"],
                "title": addition.get("title", addition["code"]),
                "questions": [],
            }
            sections.append(section)
            by_code[section["code"]] = section
        for name in ("title", "description"):
            if addition.get(name):
                section[name] = addition[name]
        for question in addition.get("questions") or []:
            codes = [q["code"] for q in section["questions"]]
            if question["code"] in codes:
                section["questions"][codes.index(question["code"])] = question
            else:
                section["questions"].append(question)
    merged["sections"] = sections
    return merged


@transaction.atomic
def cycle_copy(*, source: SurveyCycle, year: int, opens_on, closes_on) -> SurveyCycle:
    """Start a new year's survey with a copy of `source`'s sections, questions, options and conditions."""
    if SurveyCycle.objects.filter(year=year).exists():
        raise QuestionnaireError(f"A survey for {year} already exists.")
    data = questionnaire_export(cycle=source)
    data["year"] = year
    data["title"] = source.title.replace(str(source.year), str(year))
    data["intro"] = source.intro.replace(str(source.year), str(year))
    questionnaire_load(path_or_data=data, cycle_opens_on=opens_on, cycle_closes_on=closes_on)
    return SurveyCycle.objects.get(year=year)


@transaction.atomic
def milepost_catalogue_load(*, path_or_data: str | Path | dict) -> int:
    """Create or update catalogue mileposts by code from `mileposts.yaml`; returns how many the file holds."""
    data = _read(path_or_data)
    entries = data.get("mileposts") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise QuestionnaireError("The milepost file must hold a `mileposts` list.")
    problems = []
    for entry in entries:
        if not entry.get("code") or not entry.get("title"):
            problems.append(f"Milepost {entry.get('code') or '?'}: needs a `code` and a `title`.")
        if entry.get("area") not in Area.values:
            problems.append(f"Milepost {entry.get('code')}: area must be prevention, detection or response.")
        category = entry.get("category_2024") or ""
        if category and category not in Milepost.Category2024.values:
            problems.append(f"Milepost {entry.get('code')}: unknown 2024 category `{category}`.")
    if problems:
        raise QuestionnaireError("The milepost catalogue cannot be loaded:\n- " + "\n- ".join(problems))
    for entry in entries:
        Milepost.objects.update_or_create(
            code=entry["code"],
            defaults={
                "area": entry["area"],
                "category_2024": entry.get("category_2024") or "",
                "title": entry["title"],
                "description": (entry.get("description") or "").strip(),
                "introduced_year": entry.get("introduced_year", 2024),
                "is_active": entry.get("is_active", True),
            },
        )
    return len(entries)
