"""The question types, and the proof that a new one is one class: the percentage question, end to end.

Every expectation below is written out by hand (the value a person types, the cell a file holds, the words
on the page), never computed with surveys.answer_types.
"""

import csv
import datetime
import io

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from surveys.answer_types import COUNTED_TYPES, TYPES, answer_type, is_answered
from surveys.conditions import answer_value, display_value, plain_value, visible_codes
from surveys.models import Answer, Organization, Question, Submission
from surveys.services import answers as answer_services
from surveys.services import imports
from surveys.services.exports import answers_export_rows
from surveys.services.questionnaires import questionnaire_load
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

YEAR = 2026


PERCENTAGE_QUESTIONNAIRE = {
    "year": YEAR,
    "title": "Annual survey 2026",
    "sections": [
        {
            "code": "response",
            "title": "Response",
            "area": "response",
            "questions": [
                {
                    "code": "reports_actioned_in_24h",
                    "type": "percentage",
                    "text": "What share of user reports did you action within 24 hours?",
                    "required": True,
                },
                {
                    "code": "how_all_reports",
                    "type": "short_text",
                    "text": "How do you action every report within a day?",
                    "required": False,
                    "condition": {"question": "reports_actioned_in_24h", "equals": "100"},
                },
            ],
        }
    ],
}


def percentage_questionnaire_load(*, closes_in_days: int = 5) -> Question:
    """The questionnaire above, open today; returns its percentage question."""
    today = timezone.localdate()
    questionnaire_load(
        path_or_data=PERCENTAGE_QUESTIONNAIRE,
        cycle_opens_on=today - datetime.timedelta(days=5),
        cycle_closes_on=today + datetime.timedelta(days=closes_in_days),
    )
    return Question.objects.get(cycle__year=YEAR, code="reports_actioned_in_24h")


@pytest.fixture
def percentage_cycle(db):
    """A 2026 questionnaire with a percentage question and a question shown only when it is 100."""
    return percentage_questionnaire_load()


def section_url(org):
    return reverse(
        "surveys:survey-section", kwargs={"org_slug": org.slug, "year": YEAR, "section_code": "response"}
    )


def saved_int(org):
    return Answer.objects.get(
        submission__organization=org, question__code="reports_actioned_in_24h"
    ).value_int


def test_a_member_types_a_percentage_with_or_without_the_sign(contributor_client, org_a, percentage_cycle):
    url = section_url(org_a)
    page = contributor_client.get(url)
    html = page.content.decode()
    assert "What share of user reports did you action within 24 hours?" in html
    assert 'inputmode="numeric"' in html

    response = contributor_client.post(
        url, {"base": page.context["form"]["base"].value(), "reports_actioned_in_24h": "45 %"}
    )

    assert response.status_code == 302
    assert saved_int(org_a) == 45


@pytest.mark.parametrize("typed", ["120", "-1", "about half"])
def test_a_percentage_outside_0_to_100_is_refused_and_kept_as_typed(
    contributor_client, org_a, percentage_cycle, typed
):
    url = section_url(org_a)
    page = contributor_client.get(url)

    response = contributor_client.post(
        url, {"base": page.context["form"]["base"].value(), "reports_actioned_in_24h": typed}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a whole percentage between 0 and 100" in html
    assert f'value="{typed}"' in html
    assert not Answer.objects.filter(question=percentage_cycle).exists()


def test_the_import_reads_a_percentage_and_refuses_one_out_of_range_with_its_line(reviewer, percentage_cycle):
    OrganizationFactory(name="Alpha Social")
    OrganizationFactory(name="Bravo Games")
    header = "organization,year,question,value\n"

    with pytest.raises(imports.ImportRejected) as refused:
        imports.responses_import(
            text=header + "Alpha Social,2026,reports_actioned_in_24h,80%\n"
            "Bravo Games,2026,reports_actioned_in_24h,101\n",
            actor=reviewer,
            source="members.csv",
        )
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (3, "reports_actioned_in_24h must be at most 100; “101” is too large.")
    ]

    imports.responses_import(
        text=header
        + "Alpha Social,2026,reports_actioned_in_24h,80%\nBravo Games,2026,reports_actioned_in_24h,7\n",
        actor=reviewer,
        source="members.csv",
    )
    assert saved_int(Organization.objects.get(name="Alpha Social")) == 80
    assert saved_int(Organization.objects.get(name="Bravo Games")) == 7


def test_a_percentage_reads_back_shows_exports_and_drives_a_condition(reviewer, percentage_cycle):
    org = OrganizationFactory(name="Alpha Social")
    imports.responses_import(
        text="organization,year,question,value\nAlpha Social,2026,reports_actioned_in_24h,100\n",
        actor=reviewer,
        source="members.csv",
    )
    answer = Answer.objects.get(submission__organization=org, question=percentage_cycle)
    value = answer_value(answer, percentage_cycle)

    assert value == 100
    assert display_value(percentage_cycle, value) == "100%"
    questions = list(Question.objects.filter(cycle__year=YEAR).select_related("condition_question"))
    assert visible_codes(questions, {"reports_actioned_in_24h": 100}) == {
        "reports_actioned_in_24h",
        "how_all_reports",
    }
    assert visible_codes(questions, {"reports_actioned_in_24h": 99}) == {"reports_actioned_in_24h"}
    rows = list(answers_export_rows(cycle=percentage_cycle.cycle))
    assert rows[1:] == [["Alpha Social", YEAR, "reports_actioned_in_24h", "100", "draft"]]


def test_the_codebook_says_what_a_percentage_takes(percentage_cycle):
    out = io.StringIO()
    imports.import_codebook_csv(cycle=percentage_cycle.cycle, out=out)

    rows = {row[0]: row for row in csv.reader(io.StringIO(out.getvalue()))}
    assert rows["reports_actioned_in_24h"][1:4] == [
        "Percentage",
        "yes",
        "a whole percentage at least 0 and at most 100",
    ]


def test_last_years_whole_number_still_reads_as_a_number_beside_a_percentage(percentage_cycle):
    # The review page shows last year's answer with this year's question: a value of another shape keeps
    # its own reading.
    assert display_value(percentage_cycle, True) == "Yes"
    assert display_value(percentage_cycle, None) == ""
    assert display_value(percentage_cycle, ["internal", "pdq"]) == "internal; pdq"


def test_a_submission_with_the_required_percentage_unanswered_cannot_be_submitted(
    lead_client, org_a, percentage_cycle
):
    lead_client.get(section_url(org_a))
    submission = Submission.objects.get(organization=org_a, cycle=percentage_cycle.cycle)

    lead_client.post(reverse("surveys:survey-submit", kwargs={"org_slug": org_a.slug, "year": YEAR}))

    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT


# --- Every type, method by method, against values written out by hand --------------------------------------


@pytest.fixture
def questions(db):
    """One question of each type, the choice ones with options a, b and the exclusive none."""
    from tests.factories import OptionFactory, QuestionFactory

    made = {}
    for kind in Question.Type.values:
        made[kind] = QuestionFactory(code=f"q_{kind}", type=kind)
    made["integer_bounded"] = QuestionFactory(code="q_bounded", type="integer", min_value=1, max_value=10)
    made["percentage_narrowed"] = QuestionFactory(
        code="q_narrow", type="percentage", min_value=50, max_value=90
    )
    made["integer_min"] = QuestionFactory(code="q_min", type="integer", min_value=0)
    made["integer_max"] = QuestionFactory(code="q_max", type="integer", max_value=9)
    for kind in ("single_choice", "multiple_choice"):
        for code, label in (("a", "Apples"), ("b", "Bananas"), ("none", "None of these")):
            OptionFactory(question=made[kind], code=code, label=label)
    return made


def options_of(question):
    return {option.code: option for option in question.options.all()}


def parse(question, text):
    value, problem = imports._parse_value(question, text, options_of(question))
    return problem if problem else value


@pytest.mark.parametrize(
    ("kind", "cell", "expected"),
    [
        ("yes_no", "Yes", True),
        ("yes_no", "NO", False),
        ("yes_no", "maybe", "q_yes_no is a yes/no question: write yes or no, not “maybe”."),
        ("integer", "-3", -3),
        ("integer", "1,000", "q_integer needs a whole number, not “1,000”."),
        ("integer", str(2**63), f"q_integer: “{2**63}” is too large a number to store."),
        ("integer", str(2**63 - 1), 2**63 - 1),
        ("integer_bounded", "1", 1),
        ("integer_bounded", "10", 10),
        ("integer_bounded", "0", "q_bounded must be at least 1; “0” is too small."),
        ("integer_bounded", "11", "q_bounded must be at most 10; “11” is too large."),
        ("percentage", "0", 0),
        ("percentage", "100%", 100),
        ("percentage", "37 %", 37),
        ("percentage", "-1", "q_percentage must be at least 0; “-1” is too small."),
        ("percentage", "12.5", "q_percentage needs a whole percentage, not “12.5”."),
        ("percentage_narrowed", "49", "q_narrow must be at least 50; “49” is too small."),
        ("percentage_narrowed", "91", "q_narrow must be at most 90; “91” is too large."),
        ("single_choice", "b", "b"),
        ("single_choice", "a;b", "q_single_choice takes one option only; “a;b” lists several."),
        ("single_choice", "c", "q_single_choice has no option “c”; its options are a, b, none."),
        ("multiple_choice", "b; a ;", ["a", "b"]),
        ("multiple_choice", "a;x;y", "q_multiple_choice has no option “x”, “y”; its options are a, b, none."),
        (
            "multiple_choice",
            "u;v;w;x;y;z",
            "q_multiple_choice has no option “u”, “v”, “w”, “x”, “y”; its options are a, b, none.",
        ),
        (
            "multiple_choice",
            "none;a",
            "q_multiple_choice: “none” cannot be combined with other options (none;a).",
        ),
        ("multiple_choice", "none", ["none"]),
        ("short_text", "x" * 500, "x" * 500),
        ("short_text", "x" * 501, "q_short_text takes at most 500 characters; this answer has 501."),
        ("long_text", "y" * 20000, "y" * 20000),
        ("long_text", "y" * 20001, "q_long_text takes at most 20,000 characters; this answer has 20,001."),
        ("long_text", "   ", "no value for q_long_text; leave the row out to leave the question unanswered."),
    ],
)
def test_an_import_cell_reads_as_the_types_value_or_says_what_to_write(questions, kind, cell, expected):
    assert parse(questions[kind], cell) == expected


@pytest.mark.parametrize(
    ("kind", "value", "columns", "codes"),
    [
        ("yes_no", False, (False, None, ""), []),
        ("integer", 0, (None, 0, ""), []),
        ("percentage", 45, (None, 45, ""), []),
        ("single_choice", "a", (None, None, ""), ["a"]),
        ("single_choice", None, (None, None, ""), []),
        ("multiple_choice", ["a", "b"], (None, None, ""), ["a", "b"]),
        ("short_text", "hello", (None, None, "hello"), []),
        ("long_text", None, (None, None, ""), []),
    ],
)
def test_a_value_is_stored_in_its_own_column_only_and_reads_back(questions, kind, value, columns, codes):
    question = questions[kind]
    answer = Answer(value_bool=True, value_int=99, value_text="stale")

    ticked = answer_services.answer_value_set(answer, question, value)

    assert (answer.value_bool, answer.value_int, answer.value_text) == columns
    assert ticked == codes
    read = plain_value(question, *columns, codes)
    assert read == ({"long_text": ""}.get(kind, value))


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        ("yes_no", "Yes", True),
        ("yes_no", "no", False),
        ("yes_no", "perhaps", None),
        ("yes_no", 1, True),
        ("yes_no", None, None),
        ("integer", "12", 12),
        ("integer", "", None),
        ("percentage", 7, 7),
        ("single_choice", "", None),
        ("multiple_choice", ["b", "a", "b"], ["a", "b"]),
        ("multiple_choice", None, []),
        ("short_text", "  spaced  ", "spaced"),
        ("long_text", None, ""),
    ],
)
def test_the_save_service_normalises_what_it_is_given(questions, kind, given, expected):
    assert answer_services.normalise(questions[kind], given) == expected


@pytest.mark.parametrize(
    ("kind", "value", "shown", "cell"),
    [
        ("yes_no", True, "Yes", "yes"),
        ("yes_no", False, "No", "no"),
        ("yes_no", None, "", ""),
        ("integer", 12000, "12000", "12000"),
        ("integer", 0, "0", "0"),
        ("integer", None, "", ""),
        ("single_choice", None, "", ""),
        ("percentage", 0, "0%", "0"),
        ("single_choice", "b", "Bananas", "b"),
        ("single_choice", "gone", "gone", "gone"),
        ("multiple_choice", ["a", "b"], "Apples; Bananas", "a;b"),
        ("multiple_choice", [], "", ""),
        ("short_text", "=1+1", "=1+1", "=1+1"),
        ("long_text", "", "", ""),
    ],
)
def test_a_value_reads_for_a_person_and_as_a_file_cell(questions, kind, value, shown, cell):
    question = questions[kind]

    assert display_value(question, value) == shown
    assert answer_type(question).csv_cell(value) == cell


@pytest.mark.parametrize(
    ("kind", "typed", "cleaned", "plain", "initial"),
    [
        ("yes_no", "no", "no", False, "no"),
        ("integer", "12 000", 12000, 12000, 12000),
        ("percentage", "45%", 45, 45, 45),
        ("single_choice", "a", "a", "a", "a"),
        ("multiple_choice", ["b", "a"], ["b", "a"], ["a", "b"], ["a", "b"]),
        ("short_text", "hi", "hi", "hi", "hi"),
        ("long_text", "", "", "", ""),
    ],
)
def test_the_form_field_cleans_what_was_typed_into_the_plain_value(
    questions, kind, typed, cleaned, plain, initial
):
    question = questions[kind]
    kind_of = answer_type(question)
    field = kind_of.form_field(question, label="Q", required=False)

    assert field.clean(typed) == cleaned
    assert kind_of.from_form(field.clean(typed)) == plain
    assert kind_of.to_form(plain) == initial


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        ("integer_bounded", "11", "Enter a whole number between 1 and 10"),
        ("integer", "ten", "Enter a whole number"),
        ("percentage", "101", "Enter a whole percentage between 0 and 100"),
        ("percentage_narrowed", "40", "Enter a whole percentage between 50 and 90"),
        ("multiple_choice", ["none", "a"], "“None” cannot be ticked together with another option"),
        ("integer_min", "-1", "Enter a whole number of at least 0"),
        ("integer_max", "10", "Enter a whole number no larger than 9"),
        ("short_text", "z" * 501, "Ensure this value has at most 500 characters (it has 501)."),
        ("long_text", "z" * 20001, "Ensure this value has at most 20000 characters (it has 20001)."),
    ],
)
def test_the_form_field_refuses_with_the_persons_words(questions, kind, typed, message):
    question = questions[kind]
    field = answer_type(question).form_field(question, label="Q", required=False)

    with pytest.raises(ValidationError) as refused:
        field.clean(typed)
    assert refused.value.messages == [message]


def test_none_with_another_option_is_refused_with_its_own_code(questions):
    question = questions["multiple_choice"]
    field = answer_type(question).form_field(question, label="Q", required=False)

    with pytest.raises(ValidationError) as refused:
        field.clean(["a", "none"])
    assert [error.code for error in refused.value.error_list] == ["none_together"]


def test_each_type_draws_its_own_input(questions):
    def field(kind):
        return answer_type(questions[kind]).form_field(questions[kind], label="Q", required=False)

    yes_no = field("yes_no")
    assert (type(yes_no.widget), list(yes_no.choices)) == (forms.RadioSelect, [("yes", "Yes"), ("no", "No")])
    single = field("single_choice")
    assert (type(single.widget), list(single.choices)) == (
        forms.RadioSelect,
        [("a", "Apples"), ("b", "Bananas"), ("none", "None of these")],
    )
    assert type(field("multiple_choice").widget) is forms.CheckboxSelectMultiple
    for kind in ("integer", "percentage"):
        number = field(kind)
        assert type(number.widget) is forms.TextInput
        assert number.widget.attrs == {"inputmode": "numeric", "class": "input-number"}
    short, long = field("short_text"), field("long_text")
    assert (type(short.widget), short.max_length) == (forms.TextInput, 500)
    assert (type(long.widget), long.widget.attrs["rows"], long.max_length) == (forms.Textarea, 4, 20000)


@pytest.mark.parametrize(
    ("kind", "typed", "value"),
    [
        ("yes_no", ["yes"], True),
        ("yes_no", ["no"], False),
        ("yes_no", ["sí"], "sí"),
        ("integer", ["12 000"], "12 000"),
        ("single_choice", ["b"], "b"),
        ("multiple_choice", ["a", "b"], ["a", "b"]),
        ("long_text", ["words"], "words"),
    ],
)
def test_what_was_typed_reads_back_for_the_unsaved_answers_list(questions, kind, typed, value):
    assert answer_type(questions[kind]).from_typed(typed) == value


def test_an_unanswered_yes_no_has_no_initial_choice(questions):
    assert answer_type(questions["yes_no"]).to_form(None) is None


@pytest.mark.parametrize(
    ("kind", "operator", "expected", "value", "met"),
    [
        ("yes_no", "equals", "yes", True, True),
        ("yes_no", "equals", "yes", False, False),
        ("yes_no", "equals", "no", False, True),
        ("yes_no", "equals", "no", None, False),
        ("single_choice", "equals", "a", "a", True),
        ("single_choice", "equals", "a", "b", False),
        ("single_choice", "equals", "a", None, False),
        ("multiple_choice", "includes", "a", ["a", "b"], True),
        ("multiple_choice", "includes", "a", ["b"], False),
        ("multiple_choice", "includes", "a", None, False),
        ("integer", "equals", "0", 0, True),
        ("percentage", "equals", "100", 100, True),
        ("percentage", "equals", "100", None, False),
    ],
)
def test_a_condition_tests_the_answer_of_its_type(questions, kind, operator, expected, value, met):
    assert answer_type(questions[kind]).condition_met(operator, expected, value) is met


def test_what_the_codebook_says_each_type_takes(questions):
    said = {kind: answer_type(q).allowed_values(q) for kind, q in questions.items()}

    assert said == {
        "yes_no": "yes or no",
        "single_choice": "one of: a, b, none",
        "multiple_choice": "codes separated by ;: a, b, none",
        "integer": "a whole number",
        "integer_bounded": "a whole number at least 1 and at most 10",
        "integer_min": "a whole number at least 0",
        "integer_max": "a whole number at most 9",
        "percentage": "a whole percentage at least 0 and at most 100",
        "percentage_narrowed": "a whole percentage at least 50 and at most 90",
        "short_text": "text, at most 500 characters",
        "long_text": "text, at most 20,000 characters",
    }


def test_which_types_are_choices_may_span_lines_and_become_published_counts():
    assert {code for code, kind in TYPES.items() if kind.is_choice} == {"single_choice", "multiple_choice"}
    assert {code for code, kind in TYPES.items() if kind.multiline} == {"short_text", "long_text"}
    assert set(COUNTED_TYPES) == {"yes_no", "single_choice", "multiple_choice"}
    assert set(TYPES) == set(Question.Type.values)  # every type the database accepts has its class


@pytest.mark.parametrize(
    ("value", "answered"),
    [(None, False), ("", False), ([], False), (0, True), (False, True), ("no", True), (["none"], True)],
)
def test_no_and_zero_are_answers_but_empty_text_and_no_ticks_are_not(value, answered):
    assert is_answered(value) is answered
