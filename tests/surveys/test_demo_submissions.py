"""The demo's approved submissions reproduce every published figure of 2024 and 2025; seeding is idempotent."""

from collections import Counter

import pytest

from metrics.demo import reference as metrics_demo
from metrics.demo.reference import reference_rows
from surveys.conditions import answer_value
from surveys.demo import people, questionnaires
from surveys.demo.submissions import seed_submissions
from surveys.models import Answer, AuditEvent, ReviewComment, Submission, SubmissionMilepost

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        people.seed_people()
        questionnaires.seed_questionnaires()
        seed_submissions(answer_targets=metrics_demo.answer_targets)
        yield
        from django.core.management import call_command

        # The module's data lives outside the per-test transaction: remove it for the tests that follow.
        call_command("flush", "--no-input", verbosity=0)


def _counts(year: int) -> dict[str, int]:
    """Every indicator counted in plain Python from the approved submissions' visible answers."""
    counts: Counter = Counter()
    submissions = Submission.objects.approved().filter(cycle__year=year)
    counts["members"] = submissions.count()
    answers = Answer.objects.filter(submission__in=submissions, is_visible=True).select_related("question")
    for answer in answers.prefetch_related("options"):
        value = answer_value(answer, answer.question)
        if value is True:
            counts[answer.question.code] += 1
        elif isinstance(value, list):
            for option in value:
                counts[f"{answer.question.code}.{option}"] += 1
        elif isinstance(value, str) and answer.question.is_choice:
            counts[f"{answer.question.code}.{value}"] += 1
    advanced = list(
        SubmissionMilepost.objects.filter(submission__in=submissions).values_list("submission_id", flat=True)
    )
    counts["mileposts.advanced"] = len(advanced)
    counts["mileposts.members_advancing"] = len(set(advanced))
    return counts


@pytest.mark.parametrize("year", [2024, 2025])
def test_every_published_figure_is_reproduced_exactly(seeded, year):
    counts = _counts(year)
    rows = [row for row in reference_rows(metrics_demo.REFERENCE_CSV) if row["year"] == year]
    assert rows
    assert {row["indicator"]: counts[row["indicator"]] for row in rows} == {
        row["indicator"]: row["value"] for row in rows
    }


def test_the_open_cycle_is_in_a_realistic_state(seeded):
    statuses = Counter(Submission.objects.filter(cycle__year=2026).values_list("status", flat=True))
    assert statuses["approved"] >= 5 and statuses["submitted"] >= 5 and statuses["draft"] >= 5
    assert statuses["returned"] == 1
    assert sum(statuses.values()) < 57  # some have not started
    returned = Submission.objects.get(cycle__year=2026, status="returned")
    assert returned.organization.name == "Brightline Messaging"
    assert ReviewComment.objects.filter(submission=returned, question__isnull=False).count() >= 1
    provenances = set(
        Answer.objects.filter(submission__cycle__year=2026).values_list("provenance", flat=True)
    )
    assert {"carried", "changed"} <= provenances
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.TRANSITION, submission__cycle__year=2026).exists()


def test_seeding_twice_changes_nothing(seeded):
    before = (Submission.objects.count(), Answer.objects.count(), AuditEvent.objects.count())
    seed_submissions(answer_targets=metrics_demo.answer_targets)
    assert (Submission.objects.count(), Answer.objects.count(), AuditEvent.objects.count()) == before
