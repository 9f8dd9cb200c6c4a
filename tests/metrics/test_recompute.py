from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.models import IndicatorValue, YearState
from metrics.services import indicators_recompute
from surveys.models import Submission
from tests.factories import (
    IndicatorDefinitionFactory,
    IndicatorValueFactory,
    add_approved,
    add_submission,
    build_cycle,
)

pytestmark = pytest.mark.django_db
Status = Submission.Status


def stored(year):
    return {
        v.indicator.code: (v.value, v.denominator)
        for v in IndicatorValue.objects.filter(year=year).select_related("indicator")
    }


def _multi(options):
    """A multi-select answer: `none` alone, or any non-empty set of the other options (or nothing)."""
    others = [o for o in options if o != "none"]
    return st.one_of(st.just(["none"]), st.lists(st.sampled_from(others), min_size=1, unique=True))


member = st.fixed_dictionaries(
    {
        "status": st.sampled_from(
            [Status.APPROVED, Status.APPROVED, Status.SUBMITTED, Status.DRAFT, Status.REOPENED]
        ),
        "safety_by_design": st.one_of(st.none(), _multi(["formal_reviews", "red_teaming", "none"])),
        "image_hashing": st.one_of(st.none(), _multi(["photodna", "internal", "none"])),
        # Answered even when its question is hidden (image hashing without "internal"): must not count.
        "internal_hashing_shared": st.one_of(st.none(), st.booleans()),
        "authority_reporting": st.one_of(st.none(), st.sampled_from(["api_only", "manual_only", "none"])),
        "supplemental_reports": st.one_of(st.none(), st.booleans()),
        "trust_framework": st.one_of(st.none(), st.sampled_from(["fully_aligned", "not_aligned"])),
        "mileposts": st.lists(st.sampled_from(["prevention", "detection", "response"]), unique=True),
    }
)


def independent_count(members: list[dict]) -> dict[str, Decimal]:
    """Every indicator counted in plain Python, the slow obvious way."""
    approved = [m for m in members if m["status"] == Status.APPROVED]

    def visible(m, code):
        if code == "internal_hashing_shared":
            return "internal" in (m["image_hashing"] or [])
        return True

    def includes(m, code, option):
        value = m[code]
        if value is None or not visible(m, code):
            return False
        return option in value if isinstance(value, list) else value == option

    counts = {
        "members": len(approved),
        "mileposts.advanced": sum(len(m["mileposts"]) for m in approved),
        "mileposts.members_advancing": sum(1 for m in approved if m["mileposts"]),
    }
    for area in ["prevention", "detection", "response"]:
        counts[f"mileposts.advanced.{area}"] = sum(area in m["mileposts"] for m in approved)
    options = {
        "safety_by_design": ["formal_reviews", "red_teaming", "none"],
        "image_hashing": ["photodna", "internal", "none"],
        "authority_reporting": ["api_only", "manual_only", "none"],
        "trust_framework": ["fully_aligned", "not_aligned"],
    }
    for code, codes in options.items():
        for option in codes:
            counts[f"{code}.{option}"] = sum(includes(m, code, option) for m in approved)
    for code in ["supplemental_reports", "internal_hashing_shared"]:
        counts[code] = sum(1 for m in approved if m[code] is True and visible(m, code))
    per_member = Decimal(counts["mileposts.advanced"]) / len(approved) if approved else Decimal(0)
    result = {code: Decimal(n) for code, n in counts.items()}
    result["mileposts.per_member"] = per_member.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return result


def independent_asked(members: list[dict]) -> dict[str, int]:
    """Each question's denominator: the approved members it was shown to who answered it."""
    approved = [m for m in members if m["status"] == Status.APPROVED]
    asked = {}
    for code in ["safety_by_design", "image_hashing", "authority_reporting", "trust_framework"]:
        asked[code] = sum(1 for m in approved if m[code])
    asked["supplemental_reports"] = sum(1 for m in approved if m["supplemental_reports"] is not None)
    asked["internal_hashing_shared"] = sum(
        1
        for m in approved
        if m["internal_hashing_shared"] is not None and "internal" in (m["image_hashing"] or [])
    )
    return asked


@pytest.fixture
def cycle():
    return build_cycle(2025)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=st.lists(member, max_size=12))
def test_every_indicator_equals_an_independent_count_of_approved_visible_answers(cycle, members):
    with transaction.atomic():
        for m in members:
            answers = {
                code: value
                for code, value in m.items()
                if code not in ("status", "mileposts") and value is not None and value != []
            }
            hidden = {"internal_hashing_shared"} if "internal" not in (m["image_hashing"] or []) else set()
            add_submission(
                cycle, answers=answers, status=m["status"], hidden=hidden, mileposts=m["mileposts"]
            )

        indicators_recompute(year=2025)

        expected = independent_count(members)
        values = stored(2025)
        assert {code: values[code][0] for code in expected} == expected
        respondents = sum(m["status"] == Status.APPROVED for m in members)
        asked = independent_asked(members)
        for code in expected:
            question = code.partition(".")[0]
            want = None if code == "members" else asked.get(question, respondents)
            assert values[code][1] == want, code
        transaction.set_rollback(True)


def test_an_option_nobody_ticked_is_a_zero_and_an_option_not_asked_has_no_value(cycle):
    IndicatorDefinitionFactory(code="image_hashing.pdq", question_code="image_hashing", option_code="pdq")
    add_approved(cycle, 5)

    indicators_recompute(year=2025)

    values = stored(2025)
    # Out of the members who answered the question: here nobody did.
    assert values["image_hashing.photodna"] == (Decimal(0), 0)
    assert "image_hashing.pdq" not in values


def test_recompute_twice_gives_the_same_values_and_reports_no_change(cycle):
    add_approved(cycle, 6)
    first = indicators_recompute(year=2025)
    values = stored(2025)

    second = indicators_recompute(year=2025)

    assert first.changes and not second.changes
    assert stored(2025) == values


def test_a_reopened_submission_stops_counting(cycle):
    submissions = add_approved(cycle, 6)
    indicators_recompute(year=2025)
    Submission.objects.filter(pk=submissions[0].pk).update(status=Status.REOPENED)

    report = indicators_recompute(year=2025)

    assert stored(2025)["members"][0] == 5
    assert stored(2025)["safety_by_design.formal_reviews"] == (Decimal(5), 5)
    assert {c.code for c in report.changes} >= {"members", "safety_by_design.formal_reviews"}
    assert sorted(YearState.objects.get(year=2025).respondent_ids) == sorted(
        s.organization_id for s in submissions[1:]
    )


def test_recompute_costs_the_same_few_queries_whatever_the_number_of_submissions(
    cycle, django_assert_max_num_queries
):
    add_approved(cycle, 30)

    with django_assert_max_num_queries(30):
        indicators_recompute(year=2025)


def test_a_failure_mid_recompute_leaves_the_previous_values_intact(cycle, monkeypatch):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    before = stored(2025)
    add_approved(cycle, 3)

    def crash(*args, **kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(IndicatorValue.objects, "bulk_create", crash)
    with pytest.raises(RuntimeError):
        indicators_recompute(year=2025)

    assert stored(2025) == before


def test_a_year_without_raw_data_keeps_its_imported_figures():
    IndicatorValueFactory(year=2022, indicator__code="classifiers.image", value=13, is_imported=True)

    report = indicators_recompute(year=2022)

    assert report.kept_imported
    assert stored(2022) == {"classifiers.image": (Decimal(13), None)}


def test_a_year_with_raw_data_replaces_imported_figures_entirely(cycle):
    IndicatorValueFactory(year=2025, indicator__code="classifiers.image", value=13, is_imported=True)
    add_approved(cycle, 5)

    indicators_recompute(year=2025)

    assert not IndicatorValue.objects.filter(year=2025, is_imported=True).exists()
    assert "classifiers.image" not in stored(2025)


def test_recompute_command_prints_what_changed(cycle, capsys):
    add_approved(cycle, 5)

    call_command("recompute_indicators", "2025")

    out = capsys.readouterr().out
    assert "safety_by_design.formal_reviews: not published → 5" in out
    assert "5 approved respondents" in out


def test_recompute_command_refuses_an_unknown_year_with_a_clear_message(cycle):
    with pytest.raises(CommandError, match="no survey and no imported figures for 1999. Known years: 2025"):
        call_command("recompute_indicators", "1999")

    assert not YearState.objects.filter(year=1999).exists()


# --- The task, coalescing and faults ------------------------------------------------------------------


def _submitted(cycle, count):
    return [
        add_submission(cycle, answers={"safety_by_design": ["red_teaming"]}, status=Status.SUBMITTED)
        for _ in range(count)
    ]


def test_fifty_approvals_enqueue_at_most_two_recomputes(
    cycle, monkeypatch, django_capture_on_commit_callbacks
):
    from metrics.tasks import indicators_recompute_task
    from surveys.services.workflow import submission_approve

    submissions = _submitted(cycle, 50)
    enqueued = []
    monkeypatch.setattr(
        indicators_recompute_task, "apply_async", lambda *args, **kwargs: enqueued.append(kwargs)
    )

    # In one transaction, as an import with --approve does.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for submission in submissions:
            submission_approve(submission=submission, reviewer=None)
    assert 1 <= len(enqueued) <= 2
    assert enqueued[0] == {"kwargs": {"year": 2025}, "countdown": 10}
    assert YearState.objects.get(year=2025).needs_recompute

    for call in enqueued:
        indicators_recompute_task.apply(kwargs=call["kwargs"])

    assert stored(2025)["safety_by_design.red_teaming"] == (Decimal(50), 50)
    assert not YearState.objects.get(year=2025).needs_recompute


def test_approvals_one_by_one_also_coalesce_while_a_recompute_is_queued(
    cycle, monkeypatch, django_capture_on_commit_callbacks
):
    from metrics.tasks import indicators_recompute_task
    from surveys.services.workflow import submission_approve

    enqueued = []
    monkeypatch.setattr(
        indicators_recompute_task, "apply_async", lambda *args, **kwargs: enqueued.append(kwargs)
    )
    for submission in _submitted(cycle, 20):
        with django_capture_on_commit_callbacks(execute=True):
            submission_approve(submission=submission, reviewer=None)

    assert len(enqueued) == 1


def test_running_the_recompute_task_twice_is_harmless(cycle):
    from metrics.tasks import indicators_recompute_task

    add_approved(cycle, 5)
    indicators_recompute_task.apply(kwargs={"year": 2025, "force": True})
    values = stored(2025)

    second = indicators_recompute_task.apply(kwargs={"year": 2025, "force": True}).get()
    third = indicators_recompute_task.apply(kwargs={"year": 2025}).get()

    assert stored(2025) == values
    assert "0 values changed" in second
    assert third == "2025: already up to date."


def test_approval_commits_when_redis_is_down_and_the_nightly_run_catches_up(
    cycle, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from metrics.tasks import indicators_recompute_due_task, indicators_recompute_task
    from surveys.services.workflow import submission_approve

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(indicators_recompute_task, "apply_async", broker_down)
    submissions = _submitted(cycle, 5)

    with django_capture_on_commit_callbacks(execute=True):
        for submission in submissions:
            submission_approve(submission=submission, reviewer=None)

    assert Submission.objects.filter(status=Status.APPROVED).count() == 5
    assert YearState.objects.get(year=2025).needs_recompute
    assert not stored(2025)

    indicators_recompute_due_task.apply()

    assert stored(2025)["members"] == (Decimal(5), None)
    assert not YearState.objects.get(year=2025).needs_recompute


def test_the_command_catches_up_every_year_due(cycle):
    add_approved(cycle, 5)
    YearState.objects.create(year=2025, needs_recompute=True)

    call_command("recompute_indicators", "--due")

    assert stored(2025)["members"][0] == 5
    assert not YearState.objects.get(year=2025).needs_recompute


def test_a_request_made_during_a_recompute_stays_owed(cycle, monkeypatch):
    """An approval committed while a recompute reads the data must not be lost when that recompute ends."""
    from django.utils import timezone

    from metrics.services import recompute

    add_approved(cycle, 5)
    original = recompute._computed_values

    def approve_meanwhile(**kwargs):
        result = original(**kwargs)
        YearState.objects.filter(year=2025).update(needs_recompute=True, requested_at=timezone.now())
        return result

    monkeypatch.setattr(recompute, "_computed_values", approve_meanwhile)
    indicators_recompute(year=2025)

    assert YearState.objects.get(year=2025).needs_recompute


# --- Every figure of one small year, worked out by hand -----------------------------------------------------


def stored_with_contributors(year):
    return {
        v.indicator.code: (v.value, v.denominator, v.contributors)
        for v in IndicatorValue.objects.filter(year=year).select_related("indicator")
    }


def test_one_hand_counted_year_every_value_denominator_and_contributor(cycle):
    # Four approved members; one submitted and one draft member whose answers must not count.
    add_submission(
        cycle,
        answers={"safety_by_design": ["formal_reviews", "red_teaming"], "supplemental_reports": True},
        mileposts=["prevention", "detection"],
    )
    add_submission(
        cycle,
        answers={"safety_by_design": ["formal_reviews"], "supplemental_reports": False},
        mileposts=["prevention"],
    )
    add_submission(cycle, answers={"authority_reporting": "api_only"})
    add_submission(
        cycle,
        answers={"image_hashing": ["photodna"], "internal_hashing_shared": True},
        hidden={"internal_hashing_shared"},
    )
    # An approved member of another year: counts for 2024 only.
    add_submission(
        build_cycle(2024),
        answers={"safety_by_design": ["formal_reviews"], "supplemental_reports": True},
        mileposts=["prevention"],
    )
    for status in (Status.SUBMITTED, Status.DRAFT):
        add_submission(
            cycle,
            answers={"safety_by_design": ["red_teaming"], "supplemental_reports": True},
            mileposts=["response"],
            status=status,
        )

    report = indicators_recompute(year=2025)

    values = stored_with_contributors(2025)
    assert values["members"] == (Decimal(4), None, None)
    assert values["safety_by_design.formal_reviews"] == (Decimal(2), 2, None)
    assert values["safety_by_design.red_teaming"] == (Decimal(1), 2, None)
    assert values["safety_by_design.none"] == (Decimal(0), 2, None)
    assert values["supplemental_reports"] == (Decimal(1), 2, None)
    assert values["authority_reporting.api_only"] == (Decimal(1), 1, None)
    assert values["authority_reporting.manual_only"] == (Decimal(0), 1, None)
    assert values["image_hashing.photodna"] == (Decimal(1), 1, None)
    # Answered, but hidden (its condition is not met): neither counted nor asked.
    assert values["internal_hashing_shared"] == (Decimal(0), 0, None)
    assert values["trust_framework.fully_aligned"] == (Decimal(0), 0, None)
    # Three mileposts from two members; mileposts figures are out of every respondent.
    assert values["mileposts.advanced"] == (Decimal(3), 4, 2)
    assert values["mileposts.advanced.prevention"] == (Decimal(2), 4, 2)
    assert values["mileposts.advanced.detection"] == (Decimal(1), 4, 1)
    assert values["mileposts.advanced.response"] == (Decimal(0), 4, 0)
    assert values["mileposts.members_advancing"] == (Decimal(2), 4, None)
    assert values["mileposts.per_member"] == (Decimal("0.8"), 4, 2)  # 3 / 4 = 0.75, rounded half up
    assert report.respondents == 4
    assert report.values == len(values)
    assert YearState.objects.get(year=2025).respondent_ids == sorted(
        Submission.objects.filter(cycle=cycle, status=Status.APPROVED).values_list(
            "organization_id", flat=True
        )
    )


def test_mileposts_per_member_rounds_half_up_and_is_zero_without_respondents(cycle):
    add_submission(cycle, answers={}, mileposts=["prevention"])
    for _ in range(3):
        add_submission(cycle, answers={})
    indicators_recompute(year=2025)
    assert stored_with_contributors(2025)["mileposts.per_member"] == (Decimal("0.3"), 4, 1)  # 0.25

    Submission.objects.filter(cycle=cycle).update(status=Status.REOPENED)
    indicators_recompute(year=2025)
    assert stored_with_contributors(2025)["mileposts.per_member"] == (Decimal(0), 0, 0)
    assert stored_with_contributors(2025)["members"] == (Decimal(0), None, None)


def test_the_recompute_stamps_the_year_and_records_its_respondents(cycle):
    from django.utils import timezone

    from tests.factories import OrganizationFactory

    before = timezone.now()
    # Organisations with a gap between their ids, answering in one go: organisation ids and submission ids
    # can never be the same two numbers.
    first, _, third = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
    for organization in (third, first):
        add_submission(cycle, answers={}, organization=organization)
    YearState.objects.create(year=2025, needs_recompute=True, requested_at=before)

    indicators_recompute(year=2025)

    state = YearState.objects.get(year=2025)
    assert not state.needs_recompute
    assert state.computed_at is not None and state.computed_at >= before
    assert state.respondent_ids == [first.pk, third.pk]


def test_the_summary_says_what_the_recompute_did():
    from metrics.services.recompute import RecomputeReport, ValueChange

    one = RecomputeReport(
        year=2025, respondents=6, values=20, changes=[ValueChange("members", None, Decimal(6))]
    )
    assert one.summary() == "2025: 20 values from 6 approved respondents; 1 value changed."
    two = RecomputeReport(year=2024, respondents=1, values=3, changes=[ValueChange("a", None, None)] * 2)
    assert two.summary() == "2024: 3 values from 1 approved respondents; 2 values changed."
    assert (
        RecomputeReport(year=2023).summary()
        == "2023: 0 values from 0 approved respondents; 0 values changed."
    )
    kept = RecomputeReport(year=2022, values=4, kept_imported=True)
    assert kept.summary() == "2022: no approved submissions; the imported published figures are kept."


def test_an_option_asked_only_in_another_year_has_no_value_this_year(cycle):
    from surveys.models import Option, Question

    IndicatorDefinitionFactory(code="image_hashing.pdq", question_code="image_hashing", option_code="pdq")
    earlier = Question.objects.get(cycle=build_cycle(2024), code="image_hashing")
    Option.objects.create(question=earlier, code="pdq", label="PDQ", position=9)
    add_approved(cycle, 5)

    indicators_recompute(year=2025)

    assert "image_hashing.pdq" not in stored(2025)
