"""The reference file of published figures (metrics/data/published-figures.csv), as the demo reads it: the
answer counts the demo's 2024 and 2025 submissions reproduce (`answer_targets`, passed to
`surveys.demo.submissions.seed_submissions`, which may not read metrics' code convention itself)."""

import csv
from pathlib import Path
from typing import Any

from .. import codes

REFERENCE_CSV = Path(__file__).resolve().parent.parent / "data" / "published-figures.csv"


def reference_rows(csv_path: str | Path) -> list[dict[str, Any]]:
    """Parse the published-figures CSV (``year,indicator,value,denominator,note``).

    Returns dicts with ``year`` and ``value`` as int, ``denominator`` as int or None, ``indicator`` and
    ``note`` as str.
    """
    rows = []
    with open(csv_path, newline="", encoding="utf-8") as handle:
        for raw in csv.DictReader(handle):
            denominator = (raw.get("denominator") or "").strip()
            rows.append(
                {
                    "year": int(raw["year"]),
                    "indicator": raw["indicator"].strip(),
                    "value": int(raw["value"]),
                    "denominator": int(denominator) if denominator else None,
                    "note": (raw.get("note") or "").strip(),
                }
            )
    return rows


def targets_from_reference(csv_path: str | Path, year: int) -> dict[str, int]:
    """Answer-count targets for ``year`` from the reference CSV: every figure but those the indicators
    compute themselves (``members``, ``mileposts.*``)."""
    return {
        row["indicator"]: row["value"]
        for row in reference_rows(csv_path)
        if row["year"] == year and not codes.is_builtin(row["indicator"])
    }


def answer_targets(year: int) -> dict[str, int]:
    """The answer counts of ``year`` that the demo's approved submissions reproduce."""
    return targets_from_reference(REFERENCE_CSV, year)
