"""Indicator definitions: derived from a cycle's questionnaire, kept as data that staff can relabel.

Codes follow the reference convention (`QUESTION.OPTION`, `QUESTION`, `members`, `mileposts.*`); the
same definitions drive computation, release, charts, tables, CSV and API.
"""

from dataclasses import dataclass

from django.db import transaction

from surveys.answer_types import COUNTED_TYPES
from surveys.models import Area, Question, SurveyCycle

from . import codes
from .models import IndicatorDefinition

Kind = IndicatorDefinition.Kind

# Questionnaire sections whose choice and yes/no questions are indicators, and the area they report under.
# Transparency (the Trust framework) is reported in the response area, as in the coalition's reports; the
# profile section describes members and is never published.
SECTION_AREAS: dict[str, str] = {
    "prevention": Area.PREVENTION,
    "detection": Area.DETECTION,
    "response": Area.RESPONSE,
    "transparency": Area.RESPONSE,
}

# Built-ins come first on every page; questionnaire indicators follow in questionnaire order.
QUESTION_POSITION_OFFSET = 100


@dataclass(frozen=True)
class DefinitionSpec:
    code: str
    kind: str
    area: str
    group: str
    label: str
    description: str
    question_code: str = ""
    option_code: str = ""
    position: int = 0


BUILTINS: tuple[DefinitionSpec, ...] = (
    DefinitionSpec(
        codes.MEMBERS, Kind.RESPONDENTS, "", codes.MEMBERS, "Members reporting",
        "Member organisations whose survey for the year was approved.", position=0,
    ),
    DefinitionSpec(
        codes.MILEPOSTS, Kind.MILEPOSTS, "", codes.MILEPOSTS_GROUP, "Mileposts advanced",
        "Mileposts advanced in the year, over all approved submissions.", position=1,
    ),
    DefinitionSpec(
        codes.AREA_PREFIX + Area.PREVENTION, Kind.MILEPOSTS_IN_AREA, Area.PREVENTION, codes.MILEPOSTS_GROUP,
        "Mileposts advanced in prevention", "Mileposts in the prevention area advanced in the year.",
        position=2,
    ),
    DefinitionSpec(
        codes.AREA_PREFIX + Area.DETECTION, Kind.MILEPOSTS_IN_AREA, Area.DETECTION, codes.MILEPOSTS_GROUP,
        "Mileposts advanced in detection", "Mileposts in the detection area advanced in the year.",
        position=3,
    ),
    DefinitionSpec(
        codes.AREA_PREFIX + Area.RESPONSE, Kind.MILEPOSTS_IN_AREA, Area.RESPONSE, codes.MILEPOSTS_GROUP,
        "Mileposts advanced in response", "Mileposts in the response area advanced in the year.",
        position=4,
    ),
    DefinitionSpec(
        codes.MILEPOSTS_MEMBERS_ADVANCING, Kind.MEMBERS_ADVANCING, "", codes.MILEPOSTS_GROUP,
        "Members advancing at least one milepost", "Members that advanced at least one milepost in the year.",
        position=5,
    ),
    DefinitionSpec(
        codes.MILEPOSTS_PER_MEMBER, Kind.MILEPOSTS_PER_MEMBER, "", codes.MILEPOSTS_GROUP, "Mileposts per member",
        "Mileposts advanced divided by members reporting, to one decimal.", position=6,
    ),
)  # fmt: skip

BUILTIN_CODES = frozenset(spec.code for spec in BUILTINS)


def questionnaire_specs(*, cycle: SurveyCycle) -> list[DefinitionSpec]:
    """The definitions a cycle's questionnaire implies, in questionnaire order."""
    questions = (
        Question.objects.filter(cycle=cycle, section__code__in=SECTION_AREAS)
        .filter(type__in=COUNTED_TYPES)
        .select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
    specs: list[DefinitionSpec] = []
    for question in questions:
        area = SECTION_AREAS[question.section.code]
        position = QUESTION_POSITION_OFFSET + len(specs)
        if question.type == Question.Type.YES_NO:
            specs.append(
                DefinitionSpec(
                    question.code, Kind.YES_COUNT, area, question.code, question.text[:200],
                    f"Members answering yes to “{question.text}”", question.code, "", position,
                )
            )  # fmt: skip
            continue
        for option in question.options.all():
            specs.append(
                DefinitionSpec(
                    f"{question.code}.{option.code}", Kind.OPTION_COUNT, area, question.code,
                    option.label[:200], f"Members whose answer to “{question.text}” includes “{option.label}”",
                    question.code, option.code, QUESTION_POSITION_OFFSET + len(specs),
                )
            )  # fmt: skip
    return specs


@transaction.atomic
def indicators_sync(*, cycle: SurveyCycle | None) -> int:
    """Create the definitions missing for the built-ins and `cycle`'s questionnaire; returns how many.

    Labels follow the questionnaire's wording only while staff have not edited them; groups, areas and
    positions that exist are never changed, so staff edits survive every sync.
    """
    specs = list(BUILTINS) + (questionnaire_specs(cycle=cycle) if cycle is not None else [])
    existing = {d.code: d for d in IndicatorDefinition.objects.filter(code__in=[s.code for s in specs])}
    to_create, to_update = [], []
    for spec in specs:
        definition = existing.get(spec.code)
        if definition is None:
            to_create.append(
                IndicatorDefinition(
                    code=spec.code, kind=spec.kind, area=spec.area, group=spec.group, label=spec.label,
                    synced_label=spec.label, description=spec.description, question_code=spec.question_code,
                    option_code=spec.option_code, position=spec.position,
                )
            )  # fmt: skip
        elif definition.label == definition.synced_label and definition.label != spec.label:
            definition.label = definition.synced_label = spec.label
            definition.description = spec.description
            to_update.append(definition)
    IndicatorDefinition.objects.bulk_create(to_create)
    if to_update:
        IndicatorDefinition.objects.bulk_update(to_update, ["label", "synced_label", "description"])
    return len(to_create)


def definition_for_unknown_code(code: str) -> IndicatorDefinition:
    """An unsaved definition for a code met in imported history: label from the code, area from its question.

    Raises ValueError for a code that does not follow the convention.
    """
    if codes.is_builtin(code):
        raise ValueError(f"“{code}” is not a known built-in indicator. Check the spelling.")
    question_code, _, option_code = code.partition(".")
    if not question_code or "." in option_code:
        raise ValueError(f"“{code}” is not an indicator code: use QUESTION or QUESTION.OPTION.")
    sibling = IndicatorDefinition.objects.filter(question_code=question_code).first()
    if sibling is not None:
        area = sibling.area
    else:
        question = (
            Question.objects.filter(code=question_code, section__code__in=SECTION_AREAS)
            .select_related("section")
            .order_by("-cycle__year")
            .first()
        )
        area = SECTION_AREAS[question.section.code] if question else ""
    label = (option_code or question_code).replace("_", " ").capitalize()
    return IndicatorDefinition(
        code=code,
        kind=Kind.OPTION_COUNT if option_code else Kind.YES_COUNT,
        area=area,
        group=question_code,
        label=label,
        synced_label=label,
        description="Imported from figures the coalition published before raw responses were kept.",
        question_code=question_code,
        option_code=option_code,
        position=QUESTION_POSITION_OFFSET + 10_000,
    )
