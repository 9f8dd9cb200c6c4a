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
    respondents), so the withheld options' total can always be derived: the total minus the published ones.
    While that total pins every withheld value down — one withheld option, or a total that splits only one
    way between "fewer than k" values (all 1s, or all k−1) — the smallest other non-zero count (ties: the
    alphabetically first code) is withheld too; a zero would not help, as zeros are shown.
    """
    extra: set[str] = set()
    for counts in groups.values():
        withheld = {code for code, count in counts.items() if _withheld(count, threshold)}
        if not withheld:
            continue
        others = sorted((count, code) for code, count in counts.items() if count > 0 and code not in withheld)
        while others and _determined([counts[code] for code in withheld], threshold):
            _, code = others.pop(0)
            withheld.add(code)
            extra.add(code)
    return extra


def _determined(values: list, threshold: int) -> bool:
    """Whether withheld values are the only split of their (derivable) total into "fewer than k" parts."""
    total, n = sum(values), len(values)
    return n == 1 or total == n or total == n * (threshold - 1)


def _withheld(value: Decimal | int, threshold: int) -> bool:
    return 0 < value < threshold


def suppressed_label(threshold: int | None = None) -> str:
    """What a withheld figure reads as, e.g. "fewer than 5"."""
    return f"fewer than {threshold if threshold is not None else min_published_count()}"
