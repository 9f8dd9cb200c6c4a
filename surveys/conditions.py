"""Which questions a submission shows, and whether an answer counts as answered.

Pure functions over already-loaded questions and answers, shared by the forms, the save service, the submit
check and the review page, so that "visible" and "answered" mean the same thing everywhere.
"""

from collections.abc import Iterable
from typing import Any

from .models import Answer, Question

AnswerValue = bool | int | str | list[str] | None


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
    match question.type:
        case Question.Type.YES_NO:
            return value_bool
        case Question.Type.INTEGER:
            return value_int
        case Question.Type.SINGLE_CHOICE:
            return codes[0] if codes else None
        case Question.Type.MULTIPLE_CHOICE:
            return sorted(codes)
        case _:
            return value_text


def is_answered(value: AnswerValue) -> bool:
    return value not in (None, "", [])


def condition_met(question: Question, values_by_code: dict[str, Any]) -> bool:
    """Whether a conditional question is shown, given the plain values of the other answers by code."""
    if not question.has_condition:
        return True
    other = values_by_code.get(question.condition_question.code)
    if question.condition_operator == Question.ConditionOperator.INCLUDES:
        return isinstance(other, list) and question.condition_value in other
    if isinstance(other, bool):
        return ("yes" if other else "no") == question.condition_value
    return other is not None and str(other) == question.condition_value


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
    """An answer as a person reads it (option labels, Yes/No); empty when not answered.

    Goes by the value's shape, so last year's answer still reads right when its question changed type.
    Reads `question.options`: prefetch them when rendering many questions.
    """
    if value is None or value in ("", []):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list) or question.is_choice:
        labels = {option.code: option.label for option in question.options.all()}
        codes = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(code, str(code)) for code in codes)
    return str(value)
