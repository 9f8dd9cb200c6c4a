"""The demo's questionnaires: the milepost catalogue, the 2025 survey, 2024 and 2026 copied from it.

Idempotent: loading a questionnaire twice changes nothing, and a year that exists is not copied again.
The demo answers (2024 and 2025 approved, 2026 drafts) are created with `services.answers`.
"""

import datetime
from pathlib import Path

import yaml
from django.db import transaction

from ..models import SurveyCycle
from ..services.questionnaires import (
    cycle_copy,
    milepost_catalogue_load,
    questionnaire_export,
    questionnaire_load,
    questionnaire_merge,
)

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"
CYCLE_DATES = {
    2024: (datetime.date(2024, 9, 1), datetime.date(2024, 12, 15)),
    2025: (datetime.date(2025, 9, 1), datetime.date(2025, 12, 15)),
    2026: (datetime.date(2026, 10, 1), datetime.date(2026, 12, 18)),
}


@transaction.atomic
def seed_questionnaires() -> None:
    """Load the milepost catalogue and the 2025 questionnaire; copy 2025 to 2024 and to 2026 (plus additions)."""
    milepost_catalogue_load(path_or_data=QUESTIONNAIRES / "mileposts.yaml")
    opens_on, closes_on = CYCLE_DATES[2025]
    questionnaire_load(
        path_or_data=QUESTIONNAIRES / "2025.yaml", cycle_opens_on=opens_on, cycle_closes_on=closes_on
    )
    cycle_2025 = SurveyCycle.objects.get(year=2025)
    for year in (2024, 2026):
        if not SurveyCycle.objects.filter(year=year).exists():
            cycle_copy(
                source=cycle_2025, year=year, opens_on=CYCLE_DATES[year][0], closes_on=CYCLE_DATES[year][1]
            )
    additions = yaml.safe_load((QUESTIONNAIRES / "2026-additions.yaml").read_text(encoding="utf-8"))
    cycle_2026 = SurveyCycle.objects.get(year=2026)
    questionnaire_load(path_or_data=questionnaire_merge(questionnaire_export(cycle=cycle_2026), additions))
