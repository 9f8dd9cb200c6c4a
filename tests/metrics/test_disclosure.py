from decimal import Decimal

import pytest

from metrics.disclosure import public_value
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
