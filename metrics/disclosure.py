"""Disclosure control: the one rule that decides whether a figure may be shown to the public.

Every public output (release, page, chart, table, CSV, API) goes through `public_value`, so "fewer than 5"
means the same thing everywhere; `complementary_suppressions` withholds the further counts that would let
anyone work a withheld one out by subtraction.
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
    if _withheld(value, threshold):
        return None, True
    return value, False


def complementary_suppressions(groups: dict[str, dict[str, Decimal | int]], *, threshold: int) -> set[str]:
    """The codes to withhold as well, so that no withheld option of a single-choice question can be derived.

    `groups` maps each single-choice question to its options' computed member counts, `{code: count}`. Its
    options are exclusive and add up to the members who answered (for a required question, the published
    respondents), so a question with exactly one withheld option gives it away: the total minus the others.
    Its smallest other non-zero count (ties: the alphabetically first code) is then withheld too; a zero would
    not help, as zeros are shown. With two or more withheld, only their sum can be derived, which is left as
    it is.
    """
    extra: set[str] = set()
    for counts in groups.values():
        withheld = [code for code, count in counts.items() if _withheld(count, threshold)]
        if len(withheld) != 1:
            continue
        others = sorted((count, code) for code, count in counts.items() if count > 0 and code not in withheld)
        if others:
            extra.add(others[0][1])
    return extra


def _withheld(value: Decimal | int, threshold: int) -> bool:
    return 0 < value < threshold


def suppressed_label(threshold: int | None = None) -> str:
    """What a withheld figure reads as, e.g. "fewer than 5"."""
    return f"fewer than {threshold if threshold is not None else min_published_count()}"
