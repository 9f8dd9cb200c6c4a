"""Fixtures for the member's survey tests: the shipped questionnaire loaded as an open (or closed) cycle."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import SurveyCycle
from surveys.services.questionnaires import milepost_catalogue_load, questionnaire_load
from tests.factories import QUESTIONNAIRES


@pytest.fixture
def open_cycle(db) -> SurveyCycle:
    """The shipped 2025 questionnaire, open today, with the milepost catalogue."""
    today = timezone.localdate()
    milepost_catalogue_load(path_or_data=QUESTIONNAIRES / "mileposts.yaml")
    questionnaire_load(
        path_or_data=QUESTIONNAIRES / "2025.yaml",
        cycle_opens_on=today - datetime.timedelta(days=10),
        cycle_closes_on=today + datetime.timedelta(days=10),
    )
    return SurveyCycle.objects.get(year=2025)


@pytest.fixture
def closed_cycle(open_cycle) -> SurveyCycle:
    today = timezone.localdate()
    open_cycle.opens_on = today - datetime.timedelta(days=60)
    open_cycle.closes_on = today - datetime.timedelta(days=1)
    open_cycle.save()
    return open_cycle
