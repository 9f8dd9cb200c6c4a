"""The question types, and the proof that a new one is one class: the percentage question, end to end.

Every expectation below is written out by hand (the value a person types, the cell a file holds, the words
on the page), never computed with surveys.answer_types.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.conditions import answer_value, display_value, visible_codes
from surveys.models import Answer, Organization, Question, Submission
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


def test_a_submission_with_the_required_percentage_unanswered_cannot_be_submitted(
    lead_client, org_a, percentage_cycle
):
    lead_client.get(section_url(org_a))
    submission = Submission.objects.get(organization=org_a, cycle=percentage_cycle.cycle)

    lead_client.post(reverse("surveys:survey-submit", kwargs={"org_slug": org_a.slug, "year": YEAR}))

    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT
