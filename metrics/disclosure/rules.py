"""The k rule: which figures are withheld for being small, and how any withheld figure reads in public.

Every public output (page, chart, table, CSV, API) reads withheld figures through `WITHHELD`, so a figure
withheld for being small and one withheld to protect another look the same: the label never says which,
and it is never false (a withheld figure is not claimed to be small, nor zero).
"""

import re
from decimal import Decimal

from django.conf import settings

WITHHELD = "withheld"


def min_published_count() -> int:
    """The smallest member count shown publicly (setting MIN_PUBLISHED_COUNT, default 5)."""
    return int(getattr(settings, "MIN_PUBLISHED_COUNT", 5))


def is_small(value: Decimal | int | None, threshold: int) -> bool:
    """A count of members between 1 and k − 1: close enough to single out the members concerned."""
    return value is not None and 0 < value < threshold


def public_value(
    value: Decimal | int | None, *, counts_members: bool, threshold: int, imported: bool
) -> tuple[Decimal | int | None, bool]:
    """The value the public may see and whether it is withheld for being small: `(value or None, withheld)`.

    Only the first step (primary suppression): the audit in `disclosure.audit` then withholds the further
    figures that would let a reader work a withheld one out. Zero is shown. Imported historical figures are
    already public record, so they are shown as they were published.
    """
    if value is None:
        return None, False
    if imported or not counts_members:
        return value, False
    if is_small(value, threshold):
        return None, True
    return value, False


def public_note_problems(note: str, *, names: list[str]) -> list[str]:
    """Why a public corrections-log note cannot be published as written: it names a member organisation.

    Guards against the log itself singling out the member whose answers changed (a reader who knows who
    corrected and which figures moved learns that member's answers).
    """
    problems = []
    for name in names:
        if len(name) >= 3 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", note, flags=re.IGNORECASE):
            problems.append(
                f"The public note names “{name}”. The public log must not say whose answers changed: "
                "describe the correction without naming any member."
            )
    return problems
