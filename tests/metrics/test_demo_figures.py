"""The demo's published figures equal the coalition's published figures, row by row."""

import csv
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from metrics.models import Release, ReleaseValue, WithheldFigure

pytestmark = pytest.mark.django_db
REPO_COPY = Path(__file__).resolve().parents[2] / "metrics" / "data" / "published-figures.csv"
# SHA-256 of the coalition's published figures as handed to us (shared/reference/published-figures.csv);
# the tests read only the repository's copy, so they pass from a clone in any folder.
REFERENCE_SHA256 = "d72de4f9a37371daba5b4fb92cfdd33e680c96a08fc2d82c202cc65df1d10dcf"


def reference_rows():
    with open(REPO_COPY, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def latest_published() -> dict[tuple[int, str], ReleaseValue]:
    latest = {}
    for release in Release.objects.order_by("year", "number"):
        latest[release.year] = release
    return {
        (value.release.year, value.code): value
        for value in ReleaseValue.objects.filter(release__in=latest.values()).select_related("release")
    }


def test_the_repository_copy_of_the_reference_figures_is_unchanged():
    assert hashlib.sha256(REPO_COPY.read_bytes()).hexdigest() == REFERENCE_SHA256


def test_seed_demo_publishes_every_reference_figure_exactly_and_leaves_2026_unpublished(capsys):
    call_command("seed_demo")

    published = latest_published()
    mismatches = []
    for row in reference_rows():
        key = (int(row["year"]), row["indicator"])
        value = published.get(key)
        if value is None:
            mismatches.append(f"{key}: not published")
            continue
        if value.suppressed or value.value != Decimal(row["value"]):
            mismatches.append(
                f"{key}: published {value.value} (suppressed={value.suppressed}), reference {row['value']}"
            )
        if row["denominator"] and value.denominator != int(row["denominator"]):
            mismatches.append(f"{key}: denominator {value.denominator}, reference {row['denominator']}")
    assert not mismatches, "\n".join(mismatches)
    assert set(Release.objects.values_list("year", flat=True)) == {2022, 2023, 2024, 2025}


def test_the_demo_withholds_no_reference_figure_and_keeps_the_reason_for_each_withheld_one(capsys):
    """The audit withholds small counts (mostly "none of these") and, to protect them, a few larger ones,
    such as 2025 authority_reporting.manual_only (7, once shown as "fewer than 5"); never a reference figure."""
    call_command("seed_demo")

    withheld = {(value.release.year, value.code) for value in latest_published().values() if value.suppressed}
    reasons = {
        (figure.release.year, figure.code): (figure.reason, figure.value)
        for figure in WithheldFigure.objects.select_related("release")
    }
    assert withheld <= set(reasons)
    assert not withheld & {(int(row["year"]), row["indicator"]) for row in reference_rows()}
    assert reasons[2025, "authority_reporting.manual_only"] == ("protects", Decimal(7))
    assert all(
        reason == "protects" or 0 < value < 5 for key, (reason, value) in reasons.items() if key in withheld
    )


def test_seed_demo_twice_publishes_nothing_new(capsys):
    call_command("seed_demo")
    releases = list(Release.objects.values_list("year", "number"))

    call_command("seed_demo")

    assert list(Release.objects.values_list("year", "number")) == releases
