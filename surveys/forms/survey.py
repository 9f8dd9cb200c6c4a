"""The member's survey forms: one form per questionnaire section, built from its questions.

Nothing is required on save (a draft may be partial); the review page reports what is missing. Each field
is validated on its own, so a save keeps every valid answer and re-shows the invalid ones as typed.
"""

from dataclasses import dataclass

from django import forms
from django.core import signing
from django.http import QueryDict

from ..answer_types import answer_type
from ..conditions import AnswerValue, answer_value
from ..models import Answer, Area, Milepost, Question

BASE_SALT = "surveys.section-base"


def question_field(question: Question) -> forms.Field:
    return answer_type(question).form_field(
        question, label=question.text, help_text=question.help_text, required=False
    )


@dataclass
class QuestionItem:
    """What the section template needs to draw one question."""

    question: Question
    field: forms.BoundField
    answer: Answer | None
    conflict: object = None
    visible: bool = True

    @property
    def carried(self) -> bool:
        return self.answer is not None and self.answer.provenance == Answer.Provenance.CARRIED


class SectionForm(forms.Form):
    """One field per question of a section, named by question code, plus the versions the page was loaded with."""

    base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, questions: list[Question], answers: dict[int, Answer], **kwargs):
        self.questions = questions
        self.answers = answers
        super().__init__(data, initial=self.saved_values(questions, answers), **kwargs)
        for question in questions:
            self.fields[question.code] = question_field(question)

    @classmethod
    def saved_values(cls, questions: list[Question], answers: dict[int, Answer]) -> dict:
        """The saved answers as the fields' values, and the signed token of what the page shows."""
        values = {q.code: answer_value(answers.get(q.pk), q) for q in questions}
        initial = {q.code: answer_type(q).to_form(values[q.code]) for q in questions}
        initial["base"] = cls.base_token(questions, answers, values)
        return initial

    @classmethod
    def redisplayed(cls, posted: QueryDict, keep: set[str], *, questions, answers) -> "SectionForm":
        """A bound form of the saved answers, except the fields in `keep`, taken as typed from `posted`.

        After a partial save: the saved state, with the invalid and the conflicting answers as typed.
        """
        saved = cls.saved_values(questions, answers)
        data = QueryDict(mutable=True)
        for question in questions:
            code = question.code
            if code in keep:
                data.setlist(code, posted.getlist(code))
                continue
            value = saved.get(code)
            if value is None or value == "":
                continue
            data.setlist(code, [str(v) for v in value] if isinstance(value, list) else [str(value)])
        data["base"] = saved["base"]
        form = cls(data, questions=questions, answers=answers)
        form.is_valid()
        return form

    @staticmethod
    def base_token(questions, answers, values) -> str:
        """Signed {code: [version, value]} of what the page shows, to tell whose change came first."""
        return signing.dumps(
            {q.code: [answers[q.pk].version if q.pk in answers else 0, values[q.code]] for q in questions},
            salt=BASE_SALT,
            compress=True,
        )

    def seen(self) -> tuple[dict[str, int], dict[str, AnswerValue]]:
        """(versions, values) the page was loaded with; empty when the token is missing or tampered with."""
        try:
            loaded = signing.loads(self.data.get("base", ""), salt=BASE_SALT)
        except signing.BadSignature:
            return {}, {}
        return {code: pair[0] for code, pair in loaded.items()}, {
            code: pair[1] for code, pair in loaded.items()
        }

    def plain_values(self) -> dict[str, AnswerValue]:
        """The valid answers as plain values (call after `is_valid()`); invalid ones are left out."""
        return {
            q.code: answer_type(q).from_form(self.cleaned_data[q.code])
            for q in self.questions
            if q.code in self.cleaned_data and q.code not in self.errors
        }

    def items(self, conflicts=None) -> list[QuestionItem]:
        conflicts = {conflict.question.code: conflict for conflict in conflicts or []}
        return [
            QuestionItem(q, self[q.code], self.answers.get(q.pk), conflicts.get(q.code))
            for q in self.questions
        ]


class MilepostsForm(forms.Form):
    """A checkbox and a description per catalogue milepost; a ticked milepost needs a description."""

    def __init__(self, *args, mileposts: list[Milepost], **kwargs):
        self.mileposts = mileposts
        super().__init__(*args, **kwargs)
        for milepost in mileposts:
            self.fields[f"advanced_{milepost.code}"] = forms.BooleanField(
                label=milepost.title, help_text=milepost.description, required=False
            )
            description = forms.CharField(
                label="What did you do?",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            description.summary_label = f"What you did for “{milepost.title}”"  # in the error summary
            self.fields[f"description_{milepost.code}"] = description

    def clean(self):
        cleaned = super().clean()
        for milepost in self.mileposts:
            description = (cleaned.get(f"description_{milepost.code}") or "").strip()
            if cleaned.get(f"advanced_{milepost.code}") and not description:
                self.add_error(
                    f"description_{milepost.code}",
                    "Describe in a sentence or two what you did for this milepost",
                )
        return cleaned

    def advanced(self) -> dict[str, str]:
        return {
            m.code: self.cleaned_data[f"description_{m.code}"].strip()
            for m in self.mileposts
            if self.cleaned_data.get(f"advanced_{m.code}")
        }

    def invalid_mileposts(self) -> list[Milepost]:
        """The mileposts whose entry cannot be saved as typed, in page order."""
        return [
            m
            for m in self.mileposts
            if f"advanced_{m.code}" in self.errors or f"description_{m.code}" in self.errors
        ]

    def valid_advanced(self, *, saved: dict[str, str]) -> dict[str, str]:
        """What can be saved when some entries are invalid: every valid entry as typed, and for an invalid one
        what was saved before (so one bad entry never discards the others, nor an earlier description)."""
        invalid = {m.code for m in self.invalid_mileposts()}
        advanced = {}
        for m in self.mileposts:
            if m.code in invalid:
                if m.code in saved:
                    advanced[m.code] = saved[m.code]
            elif self.cleaned_data.get(f"advanced_{m.code}"):
                advanced[m.code] = self.cleaned_data[f"description_{m.code}"].strip()
        return advanced

    def groups(self) -> list[tuple[str, list[tuple[Milepost, forms.BoundField, forms.BoundField]]]]:
        """(area label, [(milepost, checkbox, description)]) in area order."""
        rows = {value: [] for value in Area.values}
        for m in self.mileposts:
            rows[m.area].append((m, self[f"advanced_{m.code}"], self[f"description_{m.code}"]))
        return [(Area(area).label, items) for area, items in rows.items() if items]


class MilepostProposalForm(forms.Form):
    area = forms.ChoiceField(choices=Area.choices, label="Area")
    title = forms.CharField(max_length=200, label="Title of the milepost")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="What did you do?", max_length=5000
    )
