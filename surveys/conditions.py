"""Which questions a submission shows, and whether an answer counts as answered.

Pure functions over already-loaded questions and answers, shared by the forms, the save service, the submit
check and the review page, so that "visible" and "answered" mean the same thing everywhere.
"""

from collections.abc import Iterable
from typing import Any

from .answer_types import AnswerValue, answer_type, is_answered
from .models import Answer, Question


def answer_value(answer: Answer | None, question: Question) -> AnswerValue:
    """The answer as a plain value: bool, int, text, an option code, or a list of option codes.

    Expects `answer.options` to be prefetched for choice questions.
    """
    if answer is None:
        return None
    codes = [option.code for option in answer.options.all()] if question.is_choice else []
    return plain_value(question, answer.value_bool, answer.value_int, answer.value_text, codes)


def plain_value(
    question: Question, value_bool: bool | None, value_int: int | None, value_text: str, codes: list[str]
) -> AnswerValue:
    """An answer's stored columns (and ticked option codes) as a plain value, for reads that skip the ORM."""
    return answer_type(question).read(value_bool, value_int, value_text, codes)


def condition_met(question: Question, values_by_code: dict[str, Any]) -> bool:
    """Whether a conditional question is shown, given the plain values of the other answers by code."""
    if not question.has_condition:
        return True
    parent = question.condition_question
    return answer_type(parent).condition_met(
        question.condition_operator, question.condition_value, values_by_code.get(parent.code)
    )


def visible_codes(questions: Iterable[Question], values_by_code: dict[str, Any]) -> set[str]:
    """Codes of the questions shown; a question whose condition question is hidden is hidden too.

    `questions` must be in questionnaire order (conditions only point at earlier questions).
    """
    visible: set[str] = set()
    for question in questions:
        parent_ok = not question.has_condition or question.condition_question.code in visible
        if parent_ok and condition_met(question, values_by_code):
            visible.add(question.code)
    return visible


def missing_required(questions: Iterable[Question], values_by_code: dict[str, Any]) -> list[Question]:
    """Required questions that are shown but not answered, in order: the one completeness rule.

    Every way a submission reaches "submitted" or "approved" (a lead's submit, staff on a member's behalf,
    an import with --approve) checks it, so a required question is never left to read as "no".
    `questions` must be in questionnaire order.
    """
    questions = list(questions)
    visible = visible_codes(questions, values_by_code)
    return [
        q
        for q in questions
        if q.required and q.code in visible and not is_answered(values_by_code.get(q.code))
    ]


def display_value(question: Question, value: AnswerValue) -> str:
    """An answer as a person reads it (option labels, Yes/No); empty when not answered."""
    return answer_type(question).display(question, value)
