"""The tests' one set of factories and builders.

factory_boy factories (only required fields; tests set what they depend on), the questionnaires the tests
build, submissions with answers, and published releases.
"""

import datetime
from pathlib import Path

import factory
from django.utils import timezone
from django.utils.text import slugify

from metrics.models import IndicatorDefinition, IndicatorValue, Release, ReleaseValue
from surveys.answer_types import CHOICE_TYPES
from surveys.models import (
    Answer,
    Membership,
    Milepost,
    Option,
    Organization,
    Question,
    Section,
    Submission,
    SubmissionMilepost,
    SurveyCycle,
    User,
)

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "surveys" / "questionnaires"


# --- Surveys ------------------------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Member Company {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.CONTRIBUTOR


class SurveyCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyCycle
        django_get_or_create = ("year",)

    year = 2026
    title = factory.LazyAttribute(lambda o: f"Annual survey {o.year}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    cycle = factory.SubFactory(SurveyCycleFactory)
    code = factory.Sequence(lambda n: f"section-{n}")
    title = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(int)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    cycle = factory.SelfAttribute("section.cycle")
    code = factory.Sequence(lambda n: f"question_{n}")
    type = Question.Type.YES_NO
    text = factory.Sequence(lambda n: f"Question {n}?")
    position = factory.Sequence(int)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory, type=Question.Type.MULTIPLE_CHOICE)
    code = factory.Sequence(lambda n: f"option_{n}")
    label = factory.Sequence(lambda n: f"Option {n}")
    position = factory.Sequence(int)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    organization = factory.SubFactory(OrganizationFactory)
    cycle = factory.SubFactory(SurveyCycleFactory)


class MilepostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milepost

    code = factory.Sequence(lambda n: f"milepost_{n}")
    area = "prevention"
    title = factory.Sequence(lambda n: f"Milepost {n}")


# --- Metrics ------------------------------------------------------------------------------------------------


class IndicatorDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorDefinition
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"question_{n}.option")
    kind = IndicatorDefinition.Kind.OPTION_COUNT
    group = factory.LazyAttribute(lambda o: o.code.split(".")[0])
    label = factory.LazyAttribute(lambda o: o.code)


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    year = 2025
    indicator = factory.SubFactory(IndicatorDefinitionFactory)
    value = 0


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    year = 2025
    number = 1
    min_published_count = 5


class ReleaseValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReleaseValue

    release = factory.SubFactory(ReleaseFactory)
    code = factory.Sequence(lambda n: f"question_{n}.option")
    group = factory.LazyAttribute(lambda o: o.code.split(".")[0])
    label = factory.LazyAttribute(lambda o: o.code)
    value = 0


# --- Questionnaires -----------------------------------------------------------------------------------------


def questionnaire_build(cycle: SurveyCycle, sections: list[dict]) -> dict[str, Question]:
    """The tests' one questionnaire builder: sections, questions and options in `cycle`, from plain data.

    Each section is `{"code", "title", "questions"}` (plus `position` if it matters); each question
    `{"code", "type", "text", "options": [(code, label), ...], "condition": (question code, operator, value)}`
    plus any other Question field (`required`, `min_value`...); `text`, `options` and `condition` may be left
    out. Questions and options are numbered in the order given. Returns the questions by code.
    """
    by_code: dict[str, Question] = {}
    for section_spec in sections:
        section_spec = dict(section_spec)
        questions = section_spec.pop("questions")
        section = SectionFactory(cycle=cycle, **section_spec)
        for position, spec in enumerate(questions):
            spec = dict(spec)
            options = spec.pop("options", [])
            condition = spec.pop("condition", None)
            if condition:
                spec["condition_question"] = by_code[condition[0]]
                spec["condition_operator"], spec["condition_value"] = condition[1], condition[2]
            question = QuestionFactory(section=section, cycle=cycle, position=position, **spec)
            for option_position, (code, label) in enumerate(options):
                OptionFactory(question=question, code=code, label=label, position=option_position)
            by_code[question.code] = question
    return by_code


def review_questionnaire(year: int = 2026, *, opens_on=None, closes_on=None) -> SurveyCycle:
    """A small questionnaire for review tests: yes/no, single and multiple choice with `none`, a number."""
    cycle = SurveyCycleFactory(
        year=year, **{k: v for k, v in {"opens_on": opens_on, "closes_on": closes_on}.items() if v}
    )
    questions = [
        {
            "code": "image_hashing",
            "type": Question.Type.MULTIPLE_CHOICE,
            "text": "Which image hashing?",
            "options": [(code, code.title()) for code in ["photodna", "pdq", "internal", "none"]],
        },
        {"code": "supplemental_reports", "type": Question.Type.YES_NO, "text": "Supplemental reports?"},
        {
            "code": "authority_reporting",
            "type": Question.Type.SINGLE_CHOICE,
            "text": "How do you report?",
            "options": [(code, code) for code in ["api_only", "manual_only", "none"]],
        },
        {
            "code": "trust_safety_staff",
            "type": Question.Type.INTEGER,
            "text": "Staff?",
            "required": False,
            "min_value": 0,
            "max_value": 1000,
        },
    ]
    questionnaire_build(
        cycle, [{"code": "detection", "title": "Detection", "position": 1, "questions": questions}]
    )
    return cycle


# A small questionnaire with every shape the computation meets: multi-select with an exclusive `none`,
# single choice, yes/no, a conditional (hidden) question, a profile question that is not an indicator and
# transparency reported under response.
SMALL_QUESTIONNAIRE = [
    ("profile", [("service_types", Question.Type.MULTIPLE_CHOICE, ["social_media", "messaging"], None)]),
    ("prevention", [("safety_by_design", Question.Type.MULTIPLE_CHOICE, ["formal_reviews", "red_teaming", "none"], None)]),
    (
        "detection",
        [
            ("image_hashing", Question.Type.MULTIPLE_CHOICE, ["photodna", "internal", "none"], None),
            ("internal_hashing_shared", Question.Type.YES_NO, [], ("image_hashing", "includes", "internal")),
        ],
    ),
    (
        "response",
        [
            ("authority_reporting", Question.Type.SINGLE_CHOICE, ["api_only", "manual_only", "none"], None),
            ("supplemental_reports", Question.Type.YES_NO, [], None),
        ],
    ),
    ("transparency", [("trust_framework", Question.Type.SINGLE_CHOICE, ["fully_aligned", "not_aligned"], None)]),
]  # fmt: skip

MILEPOST_AREAS = ["prevention", "detection", "response"]


def build_cycle(year: int = 2025, *, open_now: bool = False):
    """A cycle with SMALL_QUESTIONNAIRE and one milepost per area; returns the cycle."""
    today = datetime.date.today()
    if open_now:
        opens, closes = today - datetime.timedelta(days=10), today + datetime.timedelta(days=10)
    else:
        opens, closes = datetime.date(year, 3, 1), datetime.date(year, 6, 30)
    cycle = SurveyCycleFactory(year=year, opens_on=opens, closes_on=closes)
    sections = [
        {
            "code": section_code,
            "title": section_code.title(),
            "position": s_position,
            "questions": [
                {
                    "code": code,
                    "type": qtype,
                    "text": f"{code}?",
                    "options": [(option, option.replace("_", " ").capitalize()) for option in options],
                    "condition": condition,
                }
                for code, qtype, options, condition in questions
            ],
        }
        for s_position, (section_code, questions) in enumerate(SMALL_QUESTIONNAIRE)
    ]
    questionnaire_build(cycle, sections)
    for area in MILEPOST_AREAS:
        Milepost.objects.get_or_create(
            code=f"demo_{area}", defaults={"area": area, "title": f"A {area} step"}
        )
    return cycle


def big_section(cycle: SurveyCycle, size: int = 60):
    """A section of `size` questions of every type (a third of them multiple choice with 4 options)."""
    kinds = [
        Question.Type.MULTIPLE_CHOICE,
        Question.Type.SINGLE_CHOICE,
        Question.Type.YES_NO,
        Question.Type.INTEGER,
        Question.Type.SHORT_TEXT,
        Question.Type.MULTIPLE_CHOICE,
    ]
    specs = []
    for index in range(size):
        kind = kinds[index % len(kinds)]
        options = [(code, code.upper()) for code in ("a", "b", "c", "none")] if kind in CHOICE_TYPES else []
        specs.append({"code": f"q{index:02d}", "type": kind, "required": False, "options": options})
    questions = list(
        questionnaire_build(cycle, [{"code": "big", "title": "Big section", "questions": specs}]).values()
    )
    return questions[0].section, questions


def big_section_data(questions, seed: int = 0) -> dict:
    """Plain values for every question of `big_section`, varied by `seed`."""
    values = {}
    for index, question in enumerate(questions):
        match question.type:
            case Question.Type.MULTIPLE_CHOICE:
                values[question.code] = ["a", "b"] if (index + seed) % 2 else ["c"]
            case Question.Type.SINGLE_CHOICE:
                values[question.code] = "a" if (index + seed) % 2 else "b"
            case Question.Type.YES_NO:
                values[question.code] = bool((index + seed) % 2)
            case Question.Type.INTEGER:
                values[question.code] = index + seed
            case _:
                values[question.code] = f"answer {index} {seed}"
    return values


# --- Submissions and answers --------------------------------------------------------------------------------


def answer_create(submission: Submission, code: str, value, *, provenance: str = "new"):
    """An Answer row (with option rows) set directly, for tests that do not go through the member pages."""
    question = Question.objects.get(cycle_id=submission.cycle_id, code=code)
    answer = Answer(submission=submission, question=question, provenance=provenance)
    if question.type == Question.Type.YES_NO:
        answer.value_bool = value
    elif question.type == Question.Type.INTEGER:
        answer.value_int = value
    elif not question.is_choice:
        answer.value_text = value
    answer.save()
    if question.is_choice:
        codes = value if isinstance(value, list) else [value]
        answer.options.set(Option.objects.filter(question=question, code__in=codes))
    return answer


def add_submission(
    cycle, *, answers: dict, status=Submission.Status.APPROVED, hidden=(), mileposts=(), organization=None
):
    """A submission with `answers` {code: bool | option code | [option codes]}; codes in `hidden` are
    stored as answers to hidden questions (is_visible=False)."""
    organization = organization or OrganizationFactory()
    submission = Submission.objects.create(organization=organization, cycle=cycle, status=status)
    questions = {q.code: q for q in Question.objects.filter(cycle=cycle)}
    options = {
        (o.question.code, o.code): o
        for o in Option.objects.filter(question__cycle=cycle).select_related("question")
    }
    for code, value in answers.items():
        question = questions[code]
        answer = Answer.objects.create(
            submission=submission,
            question=question,
            is_visible=code not in hidden,
            value_bool=value if isinstance(value, bool) else None,
        )
        if not isinstance(value, bool):
            chosen = value if isinstance(value, list) else [value]
            answer.options.set([options[code, c] for c in chosen])
    for area in mileposts:
        SubmissionMilepost.objects.create(
            submission=submission, milepost=Milepost.objects.get(code=f"demo_{area}"), description="Done."
        )
    return submission


def add_approved(cycle, count: int, **answers):
    """`count` approved submissions, all answering `answers` (default: one ticked option each)."""
    answers = answers or {"safety_by_design": ["formal_reviews"], "supplemental_reports": True}
    return [add_submission(cycle, answers=answers, mileposts=["prevention"]) for _ in range(count)]


# Every required answer of the shipped questionnaire, by section (conditional questions stay hidden).
COMPLETE = {
    "profile": {
        "service_types": ["gaming"],
        "company_size_band": "employees_under_50",
        "minors_allowed": False,
        "messaging_encryption": "no_messaging",
    },
    "prevention": {"safety_by_design": ["none"], "deterrence": ["none"], "age_assurance": ["none"]},
    "detection": {"image_hashing": ["none"], "video_hashing": ["none"], "classifiers": ["none"]},
    "response": {
        "enforcement_tools": ["none"],
        "authority_reporting": "none",
        "supplemental_reports": False,
        "in_product_reporting": True,
    },
    "transparency": {"trust_framework": "not_aligned", "transparency_report_published": False},
}


def answer_everything(submission, *, except_section: str = "", only_section: str = "") -> None:
    from surveys.services.answers import section_save

    for code, data in COMPLETE.items():
        if code != except_section and only_section in ("", code):
            section = submission.cycle.sections.get(code=code)
            section_save(submission=submission, section=section, actor=None, data=data, base_versions={})


# --- Releases built directly, mirroring the reference figures -----------------------------------------------


REFERENCE_CSV = "metrics/data/published-figures.csv"  # relative to the project root (settings.BASE_DIR)
QUESTIONNAIRE_YAML = "surveys/questionnaires/2025.yaml"


def _reference_labels() -> dict[str, str]:
    """Option labels from the shipped questionnaire, so built releases read like real ones."""
    import yaml
    from django.conf import settings

    from metrics.indicators import BUILTINS

    labels = {spec.code: spec.label for spec in BUILTINS}
    for section in yaml.safe_load((settings.BASE_DIR / QUESTIONNAIRE_YAML).read_text())["sections"]:
        for question in section.get("questions", []):
            labels[question["code"]] = question["text"]
            for option in question.get("options", []):
                labels[f"{question['code']}.{option['code']}"] = option["label"]
    return labels


def _area_and_group(code: str) -> tuple[str, str]:
    from metrics.report import PAGE_OF_GROUP

    if code == "members":
        return "", "members"
    if code.startswith("mileposts."):
        area = code.rsplit(".", 1)[1] if code.count(".") == 2 else ""
        return area, "mileposts"
    group = code.split(".", 1)[0]
    page = PAGE_OF_GROUP.get(group)
    return (page.code if page else ""), group


def release_with_values(
    year: int,
    values: dict[str, object],
    *,
    number: int = 1,
    denominator: int | None = None,
    threshold: int = 5,
    imported: bool = False,
    published_at=None,
    labels: dict[str, str] | None = None,
) -> Release:
    """A published release whose values are {code: number | None | "suppressed"} (suppressed: value empty)."""
    labels = labels or {}
    respondents = values.get("members") if isinstance(values.get("members"), int) else denominator
    release = Release.objects.create(
        year=year,
        number=number,
        respondents=respondents,
        min_published_count=threshold,
        **({"published_at": published_at} if published_at else {}),
    )
    rows = []
    for position, (code, value) in enumerate(values.items()):
        area, group = _area_and_group(code)
        suppressed = value == "suppressed"
        rows.append(
            ReleaseValue(
                release=release,
                code=code,
                area=area,
                group=group,
                label=labels.get(code, code.rsplit(".", 1)[-1].replace("_", " ").capitalize()),
                position=position,
                value=None if suppressed else value,
                denominator=None if code == "members" or code.startswith("mileposts.adv") else denominator,
                suppressed=suppressed,
                is_imported=imported,
            )
        )
    ReleaseValue.objects.bulk_create(rows)
    return release


def reference_releases_create() -> list[Release]:
    """One release per year of metrics/data/published-figures.csv, with the questionnaire's labels.

    For screenshots, the benchmark and tests when the full demo seed is not wanted: the published figures
    exactly, nothing invented (years published only as a total stay that way).
    """
    import csv
    from decimal import Decimal

    from django.conf import settings
    from django.utils import timezone

    labels = _reference_labels()
    by_year: dict[int, dict[str, tuple]] = {}
    with (settings.BASE_DIR / REFERENCE_CSV).open(newline="") as handle:
        for row in csv.DictReader(handle):
            by_year.setdefault(int(row["year"]), {})[row["indicator"]] = (
                Decimal(row["value"]),
                int(row["denominator"]) if row["denominator"] else None,
            )
    releases = []
    for year, figures in sorted(by_year.items()):
        members = figures.get("members", (None, None))[0]
        release = Release.objects.create(
            year=year,
            number=1,
            respondents=int(members) if members is not None else None,
            min_published_count=5,
            published_at=timezone.make_aware(datetime.datetime(year + 1, 3, 1, 9, 0)),
        )
        ReleaseValue.objects.bulk_create(
            ReleaseValue(
                release=release,
                code=code,
                area=_area_and_group(code)[0],
                group=_area_and_group(code)[1],
                label=labels.get(code, code.rsplit(".", 1)[-1].replace("_", " ").capitalize()),
                position=position,
                value=value,
                denominator=denominator,
                is_imported=year < 2024,
            )
            for position, (code, (value, denominator)) in enumerate(figures.items())
        )
        releases.append(release)
    return releases


def release_of_every_indicator(year: int = 2025, *, number: int = 1, vary: bool = False) -> Release:
    """A published release with a value for every indicator the shipped questionnaire defines, labelled as
    the questionnaire words it: 10 of 57 each, or with `vary` counts from 0 to 57 and some withheld."""
    from django.conf import settings
    from django.utils import timezone

    from metrics.indicators import BUILTINS, questionnaire_specs
    from surveys.models import SurveyCycle
    from surveys.services.questionnaires import questionnaire_load

    if not SurveyCycle.objects.filter(year=year).exists():
        questionnaire_load(
            path_or_data=settings.BASE_DIR / QUESTIONNAIRE_YAML,
            cycle_opens_on=datetime.date(year, 3, 1),
            cycle_closes_on=datetime.date(year, 6, 30),
        )
    specs = [*BUILTINS, *questionnaire_specs(cycle=SurveyCycle.objects.get(year=year))]
    release = Release.objects.create(
        year=year, number=number, respondents=57, min_published_count=5, published_at=timezone.now()
    )
    rows = []
    for position, spec in enumerate(specs):
        value = (53 - 11 * position) % 58 if vary else 10
        suppressed = vary and 0 < value < 5
        rows.append(
            ReleaseValue(
                release=release,
                code=spec.code,
                area=spec.area,
                group=spec.group,
                label=spec.label,
                position=position,
                value=None if suppressed else value,
                denominator=None if spec.code in ("members",) or spec.code.startswith("mileposts.") else 57,
                suppressed=suppressed,
            )
        )
    ReleaseValue.objects.bulk_create(rows)
    return release
