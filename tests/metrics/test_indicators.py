import pytest

from metrics.indicators import indicators_sync
from metrics.models import IndicatorDefinition
from surveys.models import Question
from tests.factories import build_cycle

pytestmark = pytest.mark.django_db


def test_sync_derives_one_indicator_per_option_and_yes_no_question_outside_the_profile():
    cycle = build_cycle(2025)

    indicators_sync(cycle=cycle)

    codes = set(IndicatorDefinition.objects.values_list("code", flat=True))
    assert {
        "image_hashing.photodna",
        "image_hashing.none",
        "authority_reporting.api_only",
        "supplemental_reports",
        "internal_hashing_shared",
        "trust_framework.fully_aligned",
    } <= codes
    assert not any(code.startswith("service_types") for code in codes)
    assert {
        "members",
        "mileposts.advanced",
        "mileposts.advanced.detection",
        "mileposts.members_advancing",
    } <= codes
    photodna = IndicatorDefinition.objects.get(code="image_hashing.photodna")
    assert (photodna.kind, photodna.area, photodna.group, photodna.label) == (
        "option_count",
        "detection",
        "image_hashing",
        "Photodna",
    )
    assert IndicatorDefinition.objects.get(code="supplemental_reports").kind == "yes_count"


def test_trust_framework_is_reported_in_the_response_area():
    indicators_sync(cycle=build_cycle(2025))

    assert IndicatorDefinition.objects.get(code="trust_framework.fully_aligned").area == "response"


def test_sync_twice_creates_nothing_the_second_time():
    cycle = build_cycle(2025)

    first = indicators_sync(cycle=cycle)

    assert first > 0
    assert indicators_sync(cycle=cycle) == 0


def test_sync_keeps_labels_and_groups_staff_edited_but_follows_new_wording_otherwise():
    cycle = build_cycle(2025)
    indicators_sync(cycle=cycle)
    IndicatorDefinition.objects.filter(code="image_hashing.photodna").update(
        label="PhotoDNA (Microsoft)", group="hashing"
    )
    Question.objects.get(cycle=cycle, code="image_hashing").options.filter(
        code__in=["photodna", "internal"]
    ).update(label="Reworded")

    indicators_sync(cycle=cycle)

    edited = IndicatorDefinition.objects.get(code="image_hashing.photodna")
    assert (edited.label, edited.group) == ("PhotoDNA (Microsoft)", "hashing")
    assert IndicatorDefinition.objects.get(code="image_hashing.internal").label == "Reworded"


def test_member_counts_fall_under_disclosure_control_but_milepost_totals_do_not():
    indicators_sync(cycle=build_cycle(2025))
    kinds = {d.code: d.counts_members for d in IndicatorDefinition.objects.all()}

    assert kinds["image_hashing.photodna"] and kinds["supplemental_reports"]
    assert kinds["mileposts.members_advancing"]
    assert not kinds["mileposts.advanced"] and not kinds["members"] and not kinds["mileposts.per_member"]
