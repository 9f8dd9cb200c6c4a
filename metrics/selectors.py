"""Reads for the public side: only published releases ever leave this module."""

from .models import Release


def public_overview() -> dict:
    releases = Release.objects.order_by("-year", "-number")
    latest_by_year: dict[int, Release] = {}
    for release in releases:
        latest_by_year.setdefault(release.year, release)
    return {"releases": list(latest_by_year.values())}
