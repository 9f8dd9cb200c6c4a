"""The demo's published figures: 2022–2023 imported from the reference file, 2024–2025 computed from the
demo's approved submissions, 2022–2025 published; 2026 is computed but stays unpublished. Idempotent."""

import logging

from surveys.models import SurveyCycle, User

from ..indicators import indicators_sync
from ..models import IndicatorValue, Release
from ..services import (
    indicators_recompute,
    published_figures_import,
    release_publish,
    release_review,
)
from .reference import REFERENCE_CSV

logger = logging.getLogger(__name__)

IMPORTED_YEARS = (2022, 2023)
COMPUTED_YEARS = (2024, 2025, 2026)
PUBLISHED_YEARS = (2022, 2023, 2024, 2025)


def publish_demo_figures() -> None:
    """Sync definitions, import history, recompute and publish the demo years (only what changed)."""
    for cycle in SurveyCycle.objects.order_by("-year").filter(year__in=COMPUTED_YEARS):
        indicators_sync(cycle=cycle)
    if not IndicatorValue.objects.filter(year__in=IMPORTED_YEARS, is_imported=True).exists() or any(
        not Release.objects.filter(year=year).exists() for year in IMPORTED_YEARS
    ):
        published_figures_import(path=REFERENCE_CSV, years=IMPORTED_YEARS)
    for year in COMPUTED_YEARS:
        if SurveyCycle.objects.filter(year=year).exists():
            indicators_recompute(year=year)
    publisher = User.objects.filter(email="admin@coalition.example").first()
    for year in PUBLISHED_YEARS:
        previous = Release.objects.filter(year=year).exists()
        review = release_review(year=year, override_reason="demo")
        if previous and not any(row.changed for row in review.rows):
            continue
        check = review.check
        if not check.can_publish:
            logger.warning("Demo figures for %s not published: %s", year, " ".join(check.problems))
            continue
        release_publish(
            year=year,
            published_by=publisher,
            note="Demo figures." if not previous else "Demo figures recomputed from the seeded submissions.",
            public_note=None
            if not previous
            else "Figures recomputed after corrections to the survey answers.",
            override_reason="Demo data: the respondents were re-seeded." if previous else "",
        )
