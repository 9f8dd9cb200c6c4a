"""Helpers for the member's survey tests: a 60-question section, a complete set of answers."""

from pathlib import Path

from surveys.models import SurveyCycle

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "surveys" / "questionnaires"


def big_section(cycle: SurveyCycle, size: int = 60):
    """A section of `size` questions of every type (a third of them multiple choice with 4 options)."""
    from surveys.models import Question
    from tests.factories import OptionFactory, QuestionFactory, SectionFactory

    section = SectionFactory(cycle=cycle, code="big", title="Big section")
    kinds = [
        Question.Type.MULTIPLE_CHOICE,
        Question.Type.SINGLE_CHOICE,
        Question.Type.YES_NO,
        Question.Type.INTEGER,
        Question.Type.SHORT_TEXT,
        Question.Type.MULTIPLE_CHOICE,
    ]
    questions = []
    for index in range(size):
        kind = kinds[index % len(kinds)]
        question = QuestionFactory(
            section=section, cycle=cycle, code=f"q{index:02d}", type=kind, position=index, required=False
        )
        if question.is_choice:
            for code in ("a", "b", "c", "none"):
                OptionFactory(question=question, code=code, label=code.upper())
        questions.append(question)
    return section, questions


def big_section_data(questions, seed: int = 0) -> dict:
    """Plain values for every question of `big_section`, varied by `seed`."""
    from surveys.models import Question

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
