"""One real Celery worker against Redis: an approval's recompute travels through the broker."""

import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connections

from coalition.celery import app as celery_app
from metrics.models import IndicatorValue, YearState
from surveys.models import Submission
from surveys.services.workflow import submission_approve

from .factories import add_submission, build_cycle

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_worker(settings, monkeypatch):
    if not django_settings.REDIS_URL:
        pytest.fail("This test needs Redis: run it with REDIS_URL set (see README, running the tests).")
    settings.INDICATORS_RECOMPUTE_DELAY = 0
    # The worker thread's database connections close after each task, so the test database can be torn down.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True


def test_a_real_worker_recomputes_the_year_after_an_approval(real_worker):
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
