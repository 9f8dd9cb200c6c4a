from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.disclosure import complementary_suppressions, public_value
from metrics.models import ReleaseValue
from metrics.services import indicators_recompute, release_publish

from .factories import add_submission, build_cycle

K = 5


@pytest.mark.parametrize(
    "count,expected",
    [(0, (0, False)), (1, (None, True)), (K - 1, (None, True)), (K, (K, False)), (40, (40, False))],
)
def test_member_counts_between_one_and_threshold_minus_one_are_withheld(count, expected):
    assert public_value(count, counts_members=True, threshold=K, imported=False) == expected


def test_counts_that_are_not_member_counts_are_never_withheld():
    assert public_value(3, counts_members=False, threshold=K, imported=False) == (3, False)


def test_imported_history_is_shown_as_published_even_when_small():
    assert public_value(4, counts_members=True, threshold=K, imported=True) == (4, False)


def test_a_missing_value_stays_missing_and_is_not_marked_withheld():
    assert public_value(None, counts_members=True, threshold=K, imported=False) == (None, False)


@pytest.mark.django_db
def test_a_release_withholds_small_counts_and_never_stores_their_value(settings):
    settings.MIN_PUBLISHED_COUNT = K
    cycle = build_cycle(2025)
    # photodna: 0 of 6 → shown; internal: 1 → withheld; red_teaming: 4 → withheld; formal_reviews: 5 → shown.
    for index in range(6):
        add_submission(
            cycle,
            answers={
                "image_hashing": ["internal"] if index == 0 else ["none"],
                "safety_by_design": ["formal_reviews"] + (["red_teaming"] if index < 4 else [])
                if index < 5
                else ["none"],
            },
        )
    indicators_recompute(year=2025)

    release = release_publish(year=2025, published_by=None)

    values = {v.code: (v.value, v.suppressed) for v in release.values.all()}
    assert values["image_hashing.photodna"] == (Decimal(0), False)
    assert values["image_hashing.internal"] == (None, True)
    assert values["safety_by_design.red_teaming"] == (None, True)
    assert values["safety_by_design.formal_reviews"] == (Decimal(5), False)
    assert values["members"] == (Decimal(6), False)
    assert not ReleaseValue.objects.filter(suppressed=True, value__isnull=False).exists()


# --- Complementary suppression: single-choice options add up to the members who answered ----------------


def test_one_withheld_option_also_withholds_the_smallest_other_non_zero_option():
    groups = {"authority_reporting": {"api_and_manual": 38, "api_only": 9, "manual_only": 7, "none": 3}}

    assert complementary_suppressions(groups, threshold=K) == {"manual_only"}


def test_two_withheld_options_whose_total_splits_several_ways_need_nothing_more():
    groups = {"authority_reporting": {"api_and_manual": 40, "api_only": 9, "manual_only": 2, "none": 3}}

    assert complementary_suppressions(groups, threshold=K) == set()


@pytest.mark.parametrize("small", [(1, 1), (4, 4)])
def test_withheld_options_whose_total_splits_only_one_way_withhold_one_more(small):
    # Total minus the published options gives 2 (only 1 + 1) or 8 (only 4 + 4 among "fewer than 5" values).
    groups = {"q": {"a": 30, "b": 9, "c": small[0], "d": small[1]}}

    assert complementary_suppressions(groups, threshold=K) == {"b"}


def test_zeros_are_shown_so_the_smallest_non_zero_option_is_withheld_instead():
    groups = {"trust_framework": {"fully_aligned": 0, "partially_aligned": 30, "not_aligned": 12, "x": 1}}

    assert complementary_suppressions(groups, threshold=K) == {"not_aligned"}


def test_nothing_withheld_needs_nothing_more():
    groups = {"trust_framework": {"fully_aligned": 25, "partially_aligned": 17, "not_aligned": 0}}

    assert complementary_suppressions(groups, threshold=K) == set()


def test_each_question_is_protected_on_its_own_and_ties_take_the_first_code():
    groups = {
        "authority_reporting": {"api_and_manual": 18, "api_only": 12, "manual_only": 12, "none": 3},
        "trust_framework": {"fully_aligned": 5, "partially_aligned": 25, "not_aligned": 15},
    }

    assert complementary_suppressions(groups, threshold=K) == {"api_only"}


@given(st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=6))
def test_no_single_choice_question_is_left_with_exactly_one_withheld_option(counts):
    groups = {"question": {f"option_{index}": count for index, count in enumerate(counts)}}

    extra = complementary_suppressions(groups, threshold=K)

    withheld = {code for code, count in groups["question"].items() if 0 < count < K} | extra
    values = [groups["question"][code] for code in withheld]
    published_non_zero = [c for code, c in groups["question"].items() if c > 0 and code not in withheld]
    # Withheld values are pinned down by their derivable total only when nothing else could be withheld.
    pinned = bool(values) and (len(values) == 1 or sum(values) in (len(values), len(values) * (K - 1)))
    assert not pinned or not published_non_zero
    assert all(groups["question"][code] > 0 for code in extra)
