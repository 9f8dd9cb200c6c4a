"""One class per question type: everything Milepost does with an answer of that type.

A type reads a plain value from a cell of an import file, turns what the save service is given into that
plain value, stores it in the answer's columns and reads it back, shows it to a person, makes its form field,
writes its CSV cell, tells how a condition tests it and what the import codebook says it takes.

Plain values: bool (yes/no), int (whole number, percentage), str (text, one option code), sorted list of
option codes (multiple choice), None when unanswered. Every other module asks `answer_type(question)`.

Adding a question type: a class here, registered in `TYPES`, a `Question.Type` choice (and its migration),
and its tests (tests/surveys/test_answer_types.py).
"""

from typing import ClassVar

from django import forms

from .models import Answer, Option, Question
from .services.import_reading import excerpt

AnswerValue = bool | int | str | list[str] | None

# The largest whole number a bigint column holds; an import refuses larger ones with a message.
BIGINT_MAX = 2**63 - 1
NONE_TOGETHER = "“None” cannot be ticked together with another option"
YES_NO = {"yes": True, "no": False}


class InvalidValue(ValueError):
    """A value that does not fit its question; its text says what to write instead."""


def is_answered(value: AnswerValue) -> bool:
    return value not in (None, "", [])


def _clear_columns(answer: Answer) -> None:
    answer.value_bool, answer.value_int, answer.value_text = None, None, ""


class AnswerType:
    """The common behaviour; each type overrides what differs."""

    code: ClassVar[str]
    is_choice: ClassVar[bool] = False
    # Whether a quoted import cell may run across lines (only text answers may).
    multiline: ClassVar[bool] = False
    # Whether the published figures count the members who gave each answer (yes/no and choices).
    counted: ClassVar[bool] = False

    # --- Plain values in and out ---------------------------------------------------------------------

    def parse(self, question: Question, text: str, options: dict[str, Option]) -> AnswerValue:
        """One stripped, non-empty import cell as a plain value; raises InvalidValue with what to write."""
        raise NotImplementedError

    def normalise(self, value) -> AnswerValue:
        """What the save service is given (a form's plain value, a test's shorthand) as the plain value."""
        return (value or "").strip()

    def store(self, answer: Answer, value: AnswerValue) -> list[str]:
        """Put a plain value into the answer's columns; returns the option codes it ticks (choices only).

        The options themselves are rows of their own, written by whoever saves the answer.
        """
        raise NotImplementedError

    def read(self, value_bool: bool | None, value_int: int | None, value_text: str, codes: list[str]):
        """An answer's stored columns (and ticked option codes) as its plain value."""
        return value_text

    # --- For people ------------------------------------------------------------------------------------

    def display(self, question: Question, value: AnswerValue) -> str:
        """The value as a person reads it; empty when unanswered.

        Goes by the value's shape, so last year's answer still reads right when its question changed type.
        Reads `question.options` for a list: prefetch them when rendering many questions.
        """
        if not is_answered(value):
            return ""
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, list) or question.is_choice:
            labels = {option.code: option.label for option in question.options.all()}
            codes = value if isinstance(value, list) else [value]
            return "; ".join(labels.get(code, str(code)) for code in codes)
        return str(value)

    def form_field(self, question: Question, **common) -> forms.Field:
        raise NotImplementedError

    def to_form(self, value: AnswerValue):
        """A plain value as the form field's initial value."""
        return value

    def from_form(self, cleaned) -> AnswerValue:
        """A form field's cleaned value as the plain value."""
        return cleaned or ""

    def from_typed(self, typed: list[str]) -> AnswerValue:
        """What was typed in the form (non-empty POST values) as a plain value, for showing it back."""
        return typed[0]

    def csv_cell(self, value: AnswerValue) -> str:
        """The value as one cell of an export file (and of the import format, which reads it back)."""
        return "" if value is None else str(value)

    def condition_met(self, operator: str, expected: str, value: AnswerValue) -> bool:
        """Whether this question's answer meets a condition `<operator> <expected>` of a later question."""
        if operator == Question.ConditionOperator.INCLUDES:
            return isinstance(value, list) and expected in value
        return value is not None and str(value) == expected

    def allowed_values(self, question: Question) -> str:
        """What the import codebook says this question takes."""
        raise NotImplementedError


class YesNo(AnswerType):
    code = Question.Type.YES_NO
    counted = True

    def parse(self, question, text, options):
        if text.lower() not in YES_NO:
            raise InvalidValue(
                f"{question.code} is a yes/no question: write yes or no, not “{excerpt(text)}”."
            )
        return YES_NO[text.lower()]

    def normalise(self, value):
        if isinstance(value, str):
            return YES_NO.get(value.lower())
        return None if value is None else bool(value)

    def store(self, answer, value):
        _clear_columns(answer)
        answer.value_bool = value
        return []

    def read(self, value_bool, value_int, value_text, codes):
        return value_bool

    def form_field(self, question, **common):
        return forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect, **common)

    def to_form(self, value):
        return None if value is None else ("yes" if value else "no")

    def from_form(self, cleaned):
        return YES_NO.get(cleaned)

    def from_typed(self, typed):
        return YES_NO.get(typed[0], typed[0])

    def csv_cell(self, value):
        return "" if value is None else ("yes" if value else "no")

    def condition_met(self, operator, expected, value):
        return isinstance(value, bool) and ("yes" if value else "no") == expected

    def allowed_values(self, question):
        return "yes or no"


class WholeNumberField(forms.IntegerField):
    """Accepts "12,000", "12 000" (and "45 %" for a percentage) as people write them."""

    def __init__(self, *, ignore: str, **kwargs):
        self.ignore = ignore
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            for character in self.ignore:
                value = value.replace(character, "")
        return super().to_python(value)


class WholeNumber(AnswerType):
    code = Question.Type.INTEGER
    kind = "a whole number"
    # Characters people write inside a number that carry no meaning.
    ignore = ", \u00a0"

    def bounds(self, question: Question) -> tuple[int | None, int | None]:
        return question.min_value, question.max_value

    def parse(self, question, text, options):
        try:
            number = int(self.digits(text))
        except ValueError:
            raise InvalidValue(f"{question.code} needs {self.kind}, not “{excerpt(text)}”.") from None
        low, high = self.bounds(question)
        if low is not None and number < low:
            raise InvalidValue(f"{question.code} must be at least {low}; “{text}” is too small.")
        if high is not None and number > high:
            raise InvalidValue(f"{question.code} must be at most {high}; “{text}” is too large.")
        if abs(number) > BIGINT_MAX:
            raise InvalidValue(f"{question.code}: “{excerpt(text)}” is too large a number to store.")
        return number

    def digits(self, text: str) -> str:
        """An import cell's text as `int()` reads it."""
        return text

    def normalise(self, value):
        return None if value in (None, "") else int(value)

    def store(self, answer, value):
        _clear_columns(answer)
        answer.value_int = value
        return []

    def read(self, value_bool, value_int, value_text, codes):
        return value_int

    def message(self, question: Question) -> str:
        """The one message for a value that is not a number, or out of bounds."""
        low, high = self.bounds(question)
        if low is not None and high is not None:
            return f"Enter {self.kind} between {low} and {high}"
        if low is not None:
            return f"Enter {self.kind} of at least {low}"
        if high is not None:
            return f"Enter {self.kind} no larger than {high}"
        return f"Enter {self.kind}"

    def form_field(self, question, **common):
        message = self.message(question)
        low, high = self.bounds(question)
        # A text input: a browser's number input would drop what it cannot parse before we see it.
        return WholeNumberField(
            ignore=self.ignore,
            min_value=low,
            max_value=high,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-number"}),
            error_messages={"invalid": message, "min_value": message, "max_value": message},
            **common,
        )

    def from_form(self, cleaned):
        return cleaned

    def allowed_values(self, question):
        low, high = self.bounds(question)
        bounds = [f"at least {low}" if low is not None else "", f"at most {high}" if high is not None else ""]
        return f"{self.kind} {' and '.join(b for b in bounds if b)}".strip()


class Percentage(WholeNumber):
    """A whole percentage, 0 to 100 unless the question narrows it; "45", "45%" and "45 %" all read 45."""

    code = Question.Type.PERCENTAGE
    kind = "a whole percentage"
    ignore = ", \u00a0%"

    def bounds(self, question):
        low = 0 if question.min_value is None else question.min_value
        high = 100 if question.max_value is None else question.max_value
        return low, high

    def digits(self, text):
        return text.removesuffix("%").strip()

    def display(self, question, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value}%"
        return super().display(question, value)


class Choice(AnswerType):
    is_choice = True
    counted = True

    def store(self, answer, value):
        _clear_columns(answer)
        return self.codes(value)

    def codes(self, value: AnswerValue) -> list[str]:
        """The option codes a plain value ticks."""
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    def choices(self, question: Question) -> list[tuple[str, str]]:
        return [(option.code, option.label) for option in question.options.all()]

    def unknown(self, question: Question, codes: list[str], options: dict[str, Option]) -> InvalidValue:
        listed = ", ".join(f"“{excerpt(c)}”" for c in codes[:5])
        return InvalidValue(
            f"{question.code} has no option {listed}; its options are {', '.join(sorted(options))}."
        )


class SingleChoice(Choice):
    code = Question.Type.SINGLE_CHOICE

    def parse(self, question, text, options):
        if ";" in text:
            raise InvalidValue(f"{question.code} takes one option only; “{excerpt(text)}” lists several.")
        if text not in options:
            raise self.unknown(question, [text], options)
        return options[text].code  # the catalogue's string: one copy however many rows

    def normalise(self, value):
        return value or None

    def read(self, value_bool, value_int, value_text, codes):
        return codes[0] if codes else None

    def form_field(self, question, **common):
        return forms.ChoiceField(choices=self.choices(question), widget=forms.RadioSelect, **common)

    def from_form(self, cleaned):
        return cleaned or None

    def allowed_values(self, question):
        return "one of: " + ", ".join(o.code for o in question.options.all())


class ExclusiveMultipleChoiceField(forms.MultipleChoiceField):
    """Ticked options, where the `none` option cannot be ticked together with another."""

    def validate(self, value):
        super().validate(value)
        if len(value) > 1 and Option.EXCLUSIVE_CODE in value:
            raise forms.ValidationError(NONE_TOGETHER, code="none_together")


class MultipleChoice(Choice):
    code = Question.Type.MULTIPLE_CHOICE

    def parse(self, question, text, options):
        codes = sorted({code.strip() for code in text.split(";") if code.strip()})
        unknown = [code for code in codes if code not in options]
        if unknown:
            raise self.unknown(question, unknown, options)
        if Option.EXCLUSIVE_CODE in codes and len(codes) > 1:
            raise InvalidValue(f"{question.code}: “none” cannot be combined with other options ({text}).")
        return [options[code].code for code in codes]

    def normalise(self, value):
        return sorted(set(value or []))

    def read(self, value_bool, value_int, value_text, codes):
        return sorted(codes)

    def form_field(self, question, **common):
        return ExclusiveMultipleChoiceField(
            choices=self.choices(question), widget=forms.CheckboxSelectMultiple, **common
        )

    def from_form(self, cleaned):
        return sorted(cleaned or [])

    def from_typed(self, typed):
        return typed

    def csv_cell(self, value):
        return ";".join(value or [])

    def allowed_values(self, question):
        return "codes separated by ;: " + ", ".join(o.code for o in question.options.all())


class Text(AnswerType):
    multiline = True
    max_length: ClassVar[int]

    def parse(self, question, text, options):
        if len(text) > self.max_length:
            raise InvalidValue(
                f"{question.code} takes at most {self.max_length:,} characters; this answer has {len(text):,}."
            )
        return text

    def store(self, answer, value):
        _clear_columns(answer)
        answer.value_text = value or ""
        return []

    def allowed_values(self, question):
        return f"text, at most {self.max_length:,} characters"


class ShortText(Text):
    code = Question.Type.SHORT_TEXT
    max_length = 500

    def form_field(self, question, **common):
        return forms.CharField(max_length=self.max_length, **common)


class LongText(Text):
    code = Question.Type.LONG_TEXT
    max_length = 20000

    def form_field(self, question, **common):
        return forms.CharField(max_length=self.max_length, widget=forms.Textarea(attrs={"rows": 4}), **common)


TYPES: dict[str, AnswerType] = {
    kind.code: kind
    for kind in (
        YesNo(),
        SingleChoice(),
        MultipleChoice(),
        WholeNumber(),
        Percentage(),
        ShortText(),
        LongText(),
    )
}
CHOICE_TYPES = tuple(code for code, kind in TYPES.items() if kind.is_choice)
COUNTED_TYPES = tuple(code for code, kind in TYPES.items() if kind.counted)


def answer_type(question: Question) -> AnswerType:
    return TYPES[question.type]
