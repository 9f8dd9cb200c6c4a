"""The staff's raw-answers export (surveys/services/exports.py), read as a reviewer downloads it.

Expected files are written out by hand. The response is read whether it is sent whole or streamed.
"""

import csv
import io

import pytest
from django.urls import reverse

from surveys.models import Answer, Question, Submission, SubmissionMilepost
from surveys.services.exports import spreadsheet_safe, spreadsheet_unsafe
from tests.factories import (
    MilepostFactory,
    OrganizationFactory,
    QuestionFactory,
    SectionFactory,
    SubmissionFactory,
    answer_create,
    review_questionnaire,
)

pytestmark = pytest.mark.django_db
HEADER = ["organization", "year", "question", "value", "status"]


def download(client, year=2026) -> list[list[str]]:
    response = client.get(reverse("surveys:answers-export", args=[year]))
    assert response.status_code == 200
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def cycle():
    """review_questionnaire's detection section, plus an earlier section with a text question."""
    cycle = review_questionnaire(2026)
    profile = SectionFactory(cycle=cycle, code="profile", title="Profile", position=0)
    QuestionFactory(
        section=profile, cycle=cycle, code="company_note", type=Question.Type.SHORT_TEXT, required=False
    )
    return cycle


def test_every_kind_of_answer_in_questionnaire_order_then_mileposts(reviewer_client, cycle):
    submission = SubmissionFactory(
        organization=OrganizationFactory(name="Bravo Games"), cycle=cycle, status=Submission.Status.SUBMITTED
    )
    answer_create(submission, "trust_safety_staff", 12)
    answer_create(submission, "authority_reporting", "manual_only")
    answer_create(submission, "supplemental_reports", False)
    answer_create(submission, "image_hashing", ["pdq", "photodna"])
    answer_create(submission, "company_note", "We moderate 24/7")
    for code in ("zeta_step", "alpha_step"):
        SubmissionMilepost.objects.create(submission=submission, milepost=MilepostFactory(code=code))

    assert download(reviewer_client) == [
        HEADER,
        ["Bravo Games", "2026", "company_note", "We moderate 24/7", "submitted"],
        ["Bravo Games", "2026", "image_hashing", "pdq;photodna", "submitted"],
        ["Bravo Games", "2026", "supplemental_reports", "no", "submitted"],
        ["Bravo Games", "2026", "authority_reporting", "manual_only", "submitted"],
        ["Bravo Games", "2026", "trust_safety_staff", "12", "submitted"],
        ["Bravo Games", "2026", "milepost", "alpha_step", "submitted"],
        ["Bravo Games", "2026", "milepost", "zeta_step", "submitted"],
    ]


def test_organisations_in_name_order_each_with_its_own_status(reviewer_client, cycle):
    for name, status in [("Zulu Video", "approved"), ("Alpha Social", "returned"), ("Mike Chat", "draft")]:
        submission = SubmissionFactory(
            organization=OrganizationFactory(name=name), cycle=cycle, status=status
        )
        answer_create(submission, "supplemental_reports", True)

    assert download(reviewer_client)[1:] == [
        ["Alpha Social", "2026", "supplemental_reports", "yes", "returned"],
        ["Mike Chat", "2026", "supplemental_reports", "yes", "draft"],
        ["Zulu Video", "2026", "supplemental_reports", "yes", "approved"],
    ]


def test_hidden_answers_and_other_years_are_left_out_and_milepost_only_submissions_kept(
    reviewer_client, cycle
):
    submission = SubmissionFactory(organization=OrganizationFactory(name="Alpha Social"), cycle=cycle)
    answer_create(submission, "supplemental_reports", True)
    Answer.objects.filter(pk=answer_create(submission, "trust_safety_staff", 3).pk).update(is_visible=False)
    only_mileposts = SubmissionFactory(organization=OrganizationFactory(name="Bravo Games"), cycle=cycle)
    SubmissionMilepost.objects.create(submission=only_mileposts, milepost=MilepostFactory(code="sbd_review"))
    SubmissionFactory(organization=OrganizationFactory(name="Charlie Empty"), cycle=cycle)
    earlier = SubmissionFactory(organization=submission.organization, cycle=review_questionnaire(2025))
    answer_create(earlier, "supplemental_reports", False)

    assert download(reviewer_client)[1:] == [
        ["Alpha Social", "2026", "supplemental_reports", "yes", "draft"],
        ["Bravo Games", "2026", "milepost", "sbd_review", "draft"],
    ]


def test_an_unknown_year_is_not_found(reviewer_client, cycle):
    assert reviewer_client.get(reverse("surveys:answers-export", args=[2031])).status_code == 404


@pytest.mark.parametrize(
    "text,safe",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("a=b", "a=b"),
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_spreadsheet_safe_prefixes_exactly_the_formula_starts(text, safe):
    assert spreadsheet_safe(text) == safe


@pytest.mark.parametrize(
    "cell,text",
    [
        ("'=1+1", "=1+1"),
        ("'\rcmd", "\rcmd"),
        ("'quoted", "'quoted"),  # an apostrophe the member typed, not one the export added
        ("''=1", "''=1"),
        ("'", "'"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_spreadsheet_unsafe_removes_only_the_apostrophe_the_export_added(cell, text):
    assert spreadsheet_unsafe(cell) == text


def test_text_answers_that_look_like_formulas_survive_an_export_and_import_unchanged(
    reviewer_client, cycle, reviewer
):
    from surveys.services import imports

    submission = SubmissionFactory(organization=OrganizationFactory(name="Alpha Social"), cycle=cycle)
    answer_create(submission, "company_note", "=HYPERLINK(1)")
    answer_create(submission, "supplemental_reports", True)
    rows = download(reviewer_client)
    assert rows[1][3] == "'=HYPERLINK(1)"
    Answer.objects.filter(submission=submission, question__code="company_note").update(value_text="changed")

    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows) + "\n"
    imports.responses_import(text=text, actor=reviewer)

    assert (
        Answer.objects.get(submission=submission, question__code="company_note").value_text == "=HYPERLINK(1)"
    )


def _organisations(cycle, names):
    for name in names:
        submission = SubmissionFactory(organization=OrganizationFactory(name=name), cycle=cycle)
        answer_create(submission, "image_hashing", ["pdq", "photodna"])
        answer_create(submission, "authority_reporting", "api_only")
        answer_create(submission, "company_note", f"{name} note")
        only_mileposts = SubmissionFactory(
            organization=OrganizationFactory(name=f"{name} Mileposts"), cycle=cycle
        )
        SubmissionMilepost.objects.create(submission=only_mileposts, milepost=MilepostFactory())


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_organisations(
    reviewer_client, cycle
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _organisations(cycle, ["Alpha", "Bravo"])
    reviewer_client.get(reverse("surveys:answers-export", args=[2026]))  # session and second factor settle
    with CaptureQueriesContext(connection) as two:
        assert len(download(reviewer_client)) == 1 + 2 * 4
    _organisations(cycle, ["Charlie", "Delta", "Echo", "Foxtrot"])
    with CaptureQueriesContext(connection) as six:
        assert len(download(reviewer_client)) == 1 + 6 * 4

    assert len(six) == len(two)


def test_an_answer_row_without_a_value_exports_an_empty_cell(reviewer_client, cycle):
    submission = SubmissionFactory(organization=OrganizationFactory(name="Alpha Social"), cycle=cycle)
    answer_create(submission, "supplemental_reports", None)
    answer_create(submission, "company_note", "")

    assert download(reviewer_client)[1:] == [
        ["Alpha Social", "2026", "company_note", "", "draft"],
        ["Alpha Social", "2026", "supplemental_reports", "", "draft"],
    ]


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_questions(cycle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.services.exports import answers_export_rows

    with CaptureQueriesContext(connection) as before:
        list(answers_export_rows(cycle=cycle))
    section = SectionFactory(cycle=cycle, code="extra", title="Extra", position=9)
    for code in ("extra_one", "extra_two", "extra_three"):
        QuestionFactory(
            section=section, cycle=cycle, code=code, type=Question.Type.SHORT_TEXT, required=False
        )
    with CaptureQueriesContext(connection) as after:
        list(answers_export_rows(cycle=cycle))

    assert len(after) == len(before)


def test_audit_rows_read_each_column_in_words_and_json():
    import datetime

    from surveys.services.exports import audit_export_rows

    when = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    rows = [
        (
            1,
            when,
            "answer_changed",
            "Acme Ltd",
            2025,
            "lead@acme.test",
            "image_hashing",
            ["pdq"],
            {"b": "é", "a": 1},
            "Fixed.",
        ),
        (2, when, "retired_kind", None, None, None, "", None, "plain text", ""),
    ]

    assert list(audit_export_rows(rows=rows)) == [
        ["when", "event", "organization", "year", "user", "subject", "old value", "new value", "note"],
        [
            "2026-03-04T05:06:07+00:00",
            "Answer changed",
            "Acme Ltd",
            2025,
            "lead@acme.test",
            "image_hashing",
            '["pdq"]',
            '{"a": 1, "b": "é"}',
            "Fixed.",
        ],
        ["2026-03-04T05:06:07+00:00", "retired_kind", "", "", "", "", "", "plain text", ""],
    ]
