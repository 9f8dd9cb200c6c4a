"""One real Celery worker against Redis: an approval's recompute travels through the broker."""

import time
from decimal import Decimal

import pytest

from metrics.models import IndicatorValue, YearState
from surveys.models import Submission
from surveys.services.workflow import submission_approve
from tests.factories import add_submission, build_cycle

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_recomputes_the_year_after_an_approval(real_worker, settings):
    settings.INDICATORS_RECOMPUTE_DELAY = 0
    cycle = build_cycle(2025)
    submissions = [
        add_submission(cycle, answers={"image_hashing": ["photodna"]}, status=Submission.Status.SUBMITTED)
        for _ in range(5)
    ]

    for submission in submissions:
        submission_approve(submission=submission, reviewer=None)  # commits: the signal enqueues on commit

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        value = IndicatorValue.objects.filter(year=2025, indicator__code="image_hashing.photodna").first()
        state = YearState.objects.filter(year=2025).first()
        if value is not None and value.value == 5 and not state.needs_recompute:
            break
        time.sleep(0.2)
    assert value is not None and (value.value, value.denominator) == (Decimal(5), 5)
    assert not YearState.objects.get(year=2025).needs_recompute
