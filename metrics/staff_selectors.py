"""Reads for the administrators' figures pages."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q

from surveys.models import Submission, SurveyCycle

from .models import IndicatorValue, Release, YearState


@dataclass
class YearRow:
    year: int
    cycle_status: str = ""
    approved: int = 0
    values: int = 0
    imported: bool = False
    needs_recompute: bool = False
    computed_at: datetime | None = None
    latest_release: Release | None = None


def staff_years() -> list[YearRow]:
    """Every year with a cycle, figures or releases: its respondents, computation and publication state."""
    rows: dict[int, YearRow] = {}

    def row(year: int) -> YearRow:
        return rows.setdefault(year, YearRow(year=year))

    for cycle in SurveyCycle.objects.annotate(
        approved=Count("submissions", filter=Q(submissions__status=Submission.Status.APPROVED))
    ):
        row(cycle.year).cycle_status = cycle.get_status_display()
        row(cycle.year).approved = cycle.approved
    for entry in IndicatorValue.objects.values("year").annotate(
        n=Count("id"), imported=Count("id", filter=Q(is_imported=True)), computed_at=Max("computed_at")
    ):
        current = row(entry["year"])
        current.values, current.imported = entry["n"], entry["imported"] == entry["n"]
        current.computed_at = entry["computed_at"]
    for state in YearState.objects.all():
        row(state.year).needs_recompute = state.needs_recompute
    for release in Release.objects.select_related("published_by").order_by("year", "number"):
        row(release.year).latest_release = release
    return sorted(rows.values(), key=lambda r: -r.year)


def staff_releases(*, year: int) -> list[Release]:
    """A year's releases, newest first, with their corrections."""
    return list(
        Release.objects.filter(year=year).select_related("published_by", "correction").order_by("-number")
    )


def staff_year_exists(*, year: int) -> bool:
    """Whether `year` has a survey cycle or stored figures, i.e. anything a figures page could act on."""
    return SurveyCycle.objects.filter(year=year).exists() or IndicatorValue.objects.filter(year=year).exists()
