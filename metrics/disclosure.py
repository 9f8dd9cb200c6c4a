"""Disclosure control: the one rule that decides whether a figure may be shown to the public.

Every public output (release, page, chart, table, CSV, API) goes through `public_value`, so "fewer than 5"
means the same thing everywhere.
"""

from decimal import Decimal

from django.conf import settings


def min_published_count() -> int:
    """The smallest member count shown publicly (setting MIN_PUBLISHED_COUNT, default 5)."""
    return int(getattr(settings, "MIN_PUBLISHED_COUNT", 5))


def public_value(
    value: Decimal | int | None, *, counts_members: bool, threshold: int, imported: bool
) -> tuple[Decimal | int | None, bool]:
    """The value the public may see and whether it was withheld: `(value or None, suppressed)`.

    A member count `c` with `0 < c < threshold` is withheld, so that nobody can single out a few members.
    Zero and counts at or above the threshold are shown. Imported historical figures are already public
    record, so they are shown as they were published. Figures that do not count members (mileposts, the
    average per member, the number of respondents) are never withheld.
    """
    if value is None:
        return None, False
    if imported or not counts_members:
        return value, False
    if 0 < value < threshold:
        return None, True
    return value, False


def suppressed_label(threshold: int | None = None) -> str:
    """What a withheld figure reads as, e.g. "fewer than 5"."""
    return f"fewer than {threshold if threshold is not None else min_published_count()}"
