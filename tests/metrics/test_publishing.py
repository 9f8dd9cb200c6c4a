from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from metrics.models import Correction, IndicatorValue, Release
from metrics.services import PublishError, indicators_recompute, release_preview, release_publish
from surveys.models import AuditEvent, Submission
from tests.factories import IndicatorValueFactory, add_approved, add_submission, build_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return build_cycle(2025)


def released(release):
    return {v.code: v.value for v in release.values.all()}


def test_publishing_freezes_the_values_with_who_and_why(cycle, administrator):
    add_approved(cycle, 6)
    indicators_recompute(year=2025)

    release = release_publish(year=2025, published_by=administrator, note="First results.")

    assert (release.number, release.published_by, release.note, release.respondents) == (
        1,
        administrator,
        "First results.",
        6,
    )
    assert released(release)["safety_by_design.formal_reviews"] == Decimal(6)
    assert release.values.get(code="safety_by_design.formal_reviews").label == "Formal reviews"


def test_every_publication_is_in_the_audit_log_with_who_and_the_staff_note(
    admin_client, cycle, administrator
):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=administrator, note="First results.")
    for _ in range(5):
        add_submission(cycle, answers={"safety_by_design": ["red_teaming"]})
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=administrator, note="Five late submissions.")

    events = AuditEvent.objects.filter(kind="publication").order_by("id")
    assert [(e.actor, e.subject, e.note) for e in events] == [
        (administrator, "2025 release 1", "First results."),
        (administrator, "2025 release 2", "Five late submissions."),
    ]
    page = admin_client.get(reverse("surveys:audit-log"), {"kind": "publication"}).content.decode()
    assert "2025 release 2" in page and "Figures published" in page


def test_a_year_with_fewer_respondents_than_the_threshold_cannot_be_published(cycle):
    add_approved(cycle, 4)
    indicators_recompute(year=2025)

    with pytest.raises(PublishError, match="4 approved respondents; at least 5 are needed"):
        release_publish(year=2025, published_by=None)
    assert not Release.objects.exists()


def test_a_year_without_figures_cannot_be_published():
    with pytest.raises(PublishError, match="no figures for 2031"):
        release_publish(year=2031, published_by=None)


def test_figures_out_of_date_must_be_recomputed_before_publishing(cycle):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    from metrics.models import YearState

    YearState.objects.filter(year=2025).update(needs_recompute=True)

    with pytest.raises(PublishError, match="out of date"):
        release_publish(year=2025, published_by=None)


def test_a_later_recompute_does_not_change_the_release(cycle):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    release = release_publish(year=2025, published_by=None)
    before = released(release)

    add_approved(cycle, 7)
    indicators_recompute(year=2025)

    assert released(Release.objects.get(pk=release.pk)) == before
    assert IndicatorValue.objects.get(year=2025, indicator__code="members").value == 12


def test_republishing_keeps_earlier_releases_and_logs_which_figures_changed_and_why(cycle, administrator):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    first = release_publish(year=2025, published_by=administrator)
    for _ in range(5):
        add_submission(cycle, answers={"safety_by_design": ["red_teaming"]})
    indicators_recompute(year=2025)

    with pytest.raises(PublishError, match="Write a note"):
        release_publish(year=2025, published_by=administrator)
    second = release_publish(year=2025, published_by=administrator, note="Five late submissions approved.")

    assert list(Release.objects.filter(year=2025).values_list("number", flat=True)) == [2, 1]
    assert released(first)["members"] == 5
    correction = Correction.objects.get(release=second)
    assert correction.reason == "Five late submissions approved."
    changes = {c["code"]: (c["old"], c["new"]) for c in correction.changes}
    assert changes["members"] == ("5", "10")
    assert changes["safety_by_design.red_teaming"] == ("0", "5")
    assert "safety_by_design.formal_reviews" not in changes  # 5 both times


def test_publishing_the_same_figures_again_is_refused(cycle):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None)

    with pytest.raises(PublishError, match="same as release 1"):
        release_publish(year=2025, published_by=None, note="Again.")


def test_republishing_with_a_few_different_respondents_needs_an_override_reason(cycle):
    submissions = add_approved(cycle, 8)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None)
    Submission.objects.filter(pk=submissions[0].pk).update(status=Submission.Status.REOPENED)
    indicators_recompute(year=2025)

    with pytest.raises(PublishError, match="1 organisation is in release 1 but not in this release"):
        release_publish(year=2025, published_by=None, note="One member withdrew.")
    release = release_publish(
        year=2025,
        published_by=None,
        note="One member withdrew.",
        override_reason="Board approved; see minutes.",
    )

    assert release.override_reason == "Board approved; see minutes."
    assert "differencing override: Board approved" in release.correction.reason


def test_republishing_close_to_any_earlier_release_needs_an_override_reason(cycle):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None)
    late = add_approved(cycle, 5)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None, note="Five late submissions.")
    # Release 3: the five late ones withdrawn, one other added. Far from release 2 (6), but comparing it
    # with release 1 (1) would reveal the added member's answers.
    Submission.objects.filter(pk__in=[s.pk for s in late]).update(status=Submission.Status.REOPENED)
    add_approved(cycle, 1)
    indicators_recompute(year=2025)

    with pytest.raises(
        PublishError, match="1 organisation is in this release but not in release 1 or release 2"
    ):
        release_publish(year=2025, published_by=None, note="Corrections.")
    release = release_publish(
        year=2025, published_by=None, note="Corrections.", override_reason="Board approved."
    )

    assert release.number == 3
    assert "differencing override: Board approved." in release.correction.reason


def test_republishing_with_many_different_respondents_needs_no_override(cycle):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None)
    add_approved(cycle, 5)
    indicators_recompute(year=2025)

    release = release_publish(year=2025, published_by=None, note="More members.")

    assert release.number == 2 and release.override_reason == ""


def test_imported_history_publishes_as_it_was_published_even_with_small_counts():
    IndicatorValueFactory(year=2022, indicator__code="classifiers.video", value=4, is_imported=True)

    release = release_publish(year=2022, published_by=None)

    value = release.values.get(code="classifiers.video")
    assert (value.value, value.suppressed, value.is_imported) == (Decimal(4), False, True)


def test_preview_shows_public_values_and_marks_the_differences(cycle):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None)
    add_submission(cycle, answers={"image_hashing": ["internal"]})
    indicators_recompute(year=2025)

    rows = {row.code: row for row in release_preview(year=2025)}

    assert rows["image_hashing.internal"].display == "withheld"
    assert rows["image_hashing.internal"].previous_display == "0"
    assert rows["image_hashing.internal"].changed
    assert rows["members"].changed and not rows["safety_by_design.formal_reviews"].changed


def test_publishing_clears_the_public_cache_after_commit(cycle, django_capture_on_commit_callbacks):
    from metrics.cache import public_cache_version

    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    version = public_cache_version()

    with django_capture_on_commit_callbacks(execute=True):
        release_publish(year=2025, published_by=None)

    assert public_cache_version() != version


def test_publish_year_command_publishes_and_explains_refusals(cycle, capsys):
    add_approved(cycle, 3)
    indicators_recompute(year=2025)
    with pytest.raises(CommandError, match="at least 5 are needed"):
        call_command("publish_year", "2025")
    add_approved(cycle, 2)
    indicators_recompute(year=2025)

    call_command("publish_year", "2025", "--note", "Annual figures.")

    assert "Published 2025 as release 1" in capsys.readouterr().out
    assert Release.objects.get(year=2025).note == "Annual figures."


# --- Administrators' pages -----------------------------------------------------------------------------


def test_years_page_lists_each_year_with_its_state(admin_client, cycle, django_assert_max_num_queries):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    IndicatorValueFactory(year=2022, indicator__code="classifiers.image", value=13, is_imported=True)

    with django_assert_max_num_queries(15):
        response = admin_client.get(reverse("metrics:staff-years"))

    content = response.content.decode()
    assert "2025" in content and "Imported published figures" in content
    assert "Not published" in content


def test_administrator_previews_and_publishes_from_the_browser(
    admin_client, cycle, django_assert_max_num_queries
):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    url = reverse("metrics:staff-publish-preview", kwargs={"year": 2025})

    with django_assert_max_num_queries(20):
        page = admin_client.get(url)
    assert "has not been published yet" in page.content.decode()
    figures = page.context["form"].initial["figures"]

    response = admin_client.post(url, {"note": "Annual figures.", "figures": figures}, follow=True)

    assert "2025 is published as release 1" in response.content.decode()
    assert Release.objects.get(year=2025).note == "Annual figures."


def test_a_refused_publication_keeps_what_the_administrator_typed(admin_client, cycle):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None)
    add_approved(cycle, 1)
    indicators_recompute(year=2025)
    url = reverse("metrics:staff-publish-preview", kwargs={"year": 2025})

    page = admin_client.get(url)
    assert "table-warning" in page.content.decode()  # the changed figures are highlighted
    figures = page.context["form"].initial["figures"]
    typed = {
        "note": "A late member.",
        "public_note": "A late survey.",
        "override_reason": "",
        "figures": figures,
    }
    preview = admin_client.post(url, {**typed, "action": "preview-public-entry"})
    previewed = preview.context["form"].data["previewed_public_note"]
    response = admin_client.post(url, {**typed, "previewed_public_note": previewed, "action": "publish"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Publish only with a written override reason" in content
    assert "A late member." in content and "A late survey." in content
    assert Release.objects.filter(year=2025).count() == 1

    admin_client.post(
        url,
        {**typed, "override_reason": "Agreed with the board.", "previewed_public_note": previewed},
    )
    assert Release.objects.filter(year=2025).count() == 2


def test_figures_that_changed_after_the_preview_are_not_published_unseen(admin_client, cycle):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    url = reverse("metrics:staff-publish-preview", kwargs={"year": 2025})
    figures = admin_client.get(url).context["form"].initial["figures"]
    add_approved(cycle, 5)
    indicators_recompute(year=2025)  # a recompute lands while the administrator reads the preview

    response = admin_client.post(url, {"note": "Annual figures.", "figures": figures})

    content = response.content.decode()
    assert "The figures changed after you opened this preview" in content
    assert "Annual figures." in content
    assert not Release.objects.filter(year=2025).exists()
    fresh = response.context["form"].data["figures"]
    admin_client.post(url, {"note": "Annual figures.", "figures": fresh})
    assert Release.objects.get(year=2025).respondents == 10


def test_recompute_button_recomputes_the_year(admin_client, cycle):
    add_approved(cycle, 5)

    response = admin_client.post(reverse("metrics:staff-recompute", kwargs={"year": 2025}), follow=True)

    assert "5 approved respondents" in response.content.decode()
    assert IndicatorValue.objects.filter(year=2025).exists()


# --- Complementary suppression ----------------------------------------------------------------------------


def single_choice_scenario(cycle):
    """13 approved members: authority_reporting 2 api_only (withheld) / 6 manual_only / 5 none; trust_framework
    all fully_aligned; safety_by_design (multiple choice) 3 formal_reviews (withheld) and 13 red_teaming."""
    reporting = ["api_only"] * 2 + ["manual_only"] * 6 + ["none"] * 5
    for index, option in enumerate(reporting):
        add_submission(
            cycle,
            answers={
                "authority_reporting": option,
                "trust_framework": "fully_aligned",
                "safety_by_design": ["red_teaming"] + (["formal_reviews"] if index < 3 else []),
            },
        )
    indicators_recompute(year=2025)


def test_a_published_single_choice_question_never_has_exactly_one_withheld_option(cycle):
    single_choice_scenario(cycle)

    release = release_publish(year=2025, published_by=None)

    values = {v.code: v for v in release.values.all()}
    public = {code: (v.value, v.suppressed) for code, v in values.items()}
    assert public["authority_reporting.api_only"] == (None, True)
    assert public["authority_reporting.none"] == (None, True)  # 5, the smallest other non-zero option
    assert public["authority_reporting.manual_only"] == (Decimal(6), False)
    assert public["trust_framework.fully_aligned"] == (Decimal(13), False)
    assert public["trust_framework.not_aligned"] == (Decimal(0), False)
    for question in ("authority_reporting", "trust_framework"):
        withheld = [v for v in values.values() if v.group == question and v.suppressed]
        assert len(withheld) != 1, question


def test_multiple_choice_options_are_not_withheld_to_protect_each_other(cycle):
    single_choice_scenario(cycle)

    release = release_publish(year=2025, published_by=None)

    public = {v.code: (v.value, v.suppressed) for v in release.values.all()}
    assert public["safety_by_design.formal_reviews"] == (None, True)
    assert public["safety_by_design.red_teaming"] == (Decimal(13), False)
    assert public["safety_by_design.none"] == (Decimal(0), False)


def test_the_preview_shows_the_complementary_suppression_exactly_as_published(cycle):
    single_choice_scenario(cycle)

    preview = [(row.code, row.value, row.suppressed) for row in release_preview(year=2025)]
    release = release_publish(year=2025, published_by=None)

    published = [(v.code, v.value, v.suppressed) for v in release.values.order_by("position", "code")]
    assert preview == published
    assert ("authority_reporting.none", None, True) in preview


def test_imported_single_choice_figures_are_never_withheld_to_protect_each_other():
    build_cycle(2023)
    for option, value in (("api_only", 3), ("manual_only", 20), ("none", 10)):
        IndicatorValueFactory(
            year=2023,
            indicator__code=f"authority_reporting.{option}",
            indicator__question_code="authority_reporting",
            indicator__option_code=option,
            value=value,
            is_imported=True,
        )

    release = release_publish(year=2023, published_by=None)

    public = {v.code: (v.value, v.suppressed) for v in release.values.all()}
    assert public == {
        "authority_reporting.api_only": (Decimal(3), False),
        "authority_reporting.manual_only": (Decimal(20), False),
        "authority_reporting.none": (Decimal(10), False),
    }


# --- The corrections log: a public note, previewed; the staff note stays internal ----------------------------


def test_a_republication_publishes_only_a_public_note_the_administrator_previewed(
    admin_client, cycle, client
):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None)
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    url = reverse("metrics:staff-publish-preview", kwargs={"year": 2025})
    figures = admin_client.get(url).context["form"].initial["figures"]
    typed = {
        "note": "Acme and four others approved late.",
        "public_note": "Five late surveys.",
        "figures": figures,
    }

    unseen = admin_client.post(url, {**typed, "action": "publish"})
    assert "Preview the public entry first" in unseen.content.decode()
    preview = admin_client.post(url, {**typed, "action": "preview-public-entry"})
    entry = preview.content.decode()
    assert "The public corrections log will read" in entry and "Five late surveys." in entry
    assert "Members reporting: 5 → 10" in entry
    previewed = preview.context["form"].data["previewed_public_note"]
    admin_client.post(url, {**typed, "previewed_public_note": previewed, "action": "publish"})

    correction = Correction.objects.get(release__number=2)
    assert (correction.public_note, correction.reason) == (
        "Five late surveys.",
        "Acme and four others approved late.",
    )
    log = client.get(reverse("metrics:methodology")).content.decode()
    assert "Five late surveys." in log and "Acme" not in log


def test_publish_year_takes_a_public_note_apart_from_the_staff_note(cycle):
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    call_command("publish_year", "2025")
    add_approved(cycle, 5)
    indicators_recompute(year=2025)

    call_command("publish_year", "2025", "--note", "Internal: Acme late.", "--public-note", "Late surveys.")

    correction = Correction.objects.get()
    assert (correction.public_note, correction.reason) == ("Late surveys.", "Internal: Acme late.")


def test_a_group_of_k_minus_one_late_members_needs_an_override(cycle):
    add_approved(cycle, 10)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None)
    add_approved(cycle, 4)  # release 2 − release 1 = these four members' answers
    indicators_recompute(year=2025)

    with pytest.raises(PublishError, match="4 organisations are in this release but not in release 1"):
        release_publish(year=2025, published_by=None, note="Four late members.")


def test_a_group_of_k_late_members_needs_no_override(cycle):
    add_approved(cycle, 10)
    indicators_recompute(year=2025)
    release_publish(year=2025, published_by=None)
    add_approved(cycle, 5)
    indicators_recompute(year=2025)

    assert release_publish(year=2025, published_by=None, note="Five late members.").override_reason == ""


# --- The publishing guards one by one ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,suppressed,exists,text",
    [
        (Decimal(37), False, True, "37"),
        (Decimal("5.6"), False, True, "5.6"),
        (Decimal("12.0"), False, True, "12"),
        (0, False, True, "0"),
        (Decimal(3), True, True, "withheld"),
        (None, True, True, "withheld"),
        (None, False, True, "not published"),
        (Decimal(3), False, False, "not published"),
        (Decimal(3), True, False, "not published"),
    ],
)
def test_a_public_figure_reads_as_a_number_withheld_or_not_published(value, suppressed, exists, text):
    from metrics.services.publishing import public_display

    assert public_display(value, suppressed=suppressed, exists=exists) == text
    if exists:  # a figure exists unless the caller says otherwise
        assert public_display(value, suppressed=suppressed) == text


def _stored(*values, imported=False):
    from metrics.models import IndicatorDefinition

    return [
        IndicatorValue(indicator=IndicatorDefinition(code=code), value=value, is_imported=imported)
        for code, value in values
    ]


def _checked(stored, state, *, override_reason=""):
    from metrics.services.publishing import PublishCheck, _check

    check = PublishCheck(year=2025, threshold=5)
    _check(check, stored=stored, state=state, override_reason=override_reason)
    return check


def test_the_check_refuses_a_year_without_figures_in_words():
    check = _checked([], None)

    assert check.problems == [
        "There are no figures for 2025 yet. Approve submissions or import history first."
    ]
    assert check.respondents is None and not check.can_publish


def test_imported_figures_are_checked_for_nothing_but_report_their_members():
    from metrics.models import YearState

    owed = YearState(year=2025, needs_recompute=True, respondent_ids=[1])
    check = _checked(_stored(("members", Decimal(3)), ("q.a", 1), imported=True), owed)
    assert (check.imported_only, check.respondents, check.problems) == (True, 3, [])

    check = _checked(_stored(("q.a", 1), imported=True), None)
    assert (check.imported_only, check.respondents, check.problems) == (True, None, [])


def test_computed_figures_need_k_respondents_and_to_be_up_to_date():
    from metrics.models import YearState

    check = _checked(_stored(("members", 1), ("q.a", 1)), YearState(year=2025, respondent_ids=[41]))
    assert (check.imported_only, check.respondents) == (False, 1)
    assert check.problems == [
        "2025 has 1 approved respondent; at least 5 are needed to publish, so that no member can be singled out. "
        "Approve more submissions first."
    ]

    owed = YearState(year=2025, needs_recompute=True, respondent_ids=[1, 2, 3, 4])
    check = _checked(_stored(("members", 4)), owed)
    assert check.problems == [
        "The figures for 2025 are out of date: a submission was approved or reopened since they were computed. "
        "Recompute them, then preview again.",
        "2025 has 4 approved respondents; at least 5 are needed to publish, so that no member can be singled out. "
        "Approve more submissions first.",
    ]

    check = _checked(_stored(("members", 5)), YearState(year=2025, respondent_ids=[1, 2, 3, 4, 5]))
    assert (check.respondents, check.problems) == (5, [])
    # No bookkeeping row: nobody is known to have answered.
    assert _checked(_stored(("members", 5)), None).respondents == 0


def _differencing(respondent_ids, *, previous=None, override_reason=""):
    from metrics.services.publishing import PublishCheck, _check_differencing

    check = PublishCheck(year=2025, threshold=5, previous=previous)
    _check_differencing(check, respondent_ids=frozenset(respondent_ids), override_reason=override_reason)
    return check


def test_the_differencing_check_names_each_small_group_and_what_sets_it_apart():
    from tests.factories import ReleaseFactory

    first = ReleaseFactory(number=1, respondent_ids=list(range(1, 11)))
    ReleaseFactory(year=2024, number=1, respondent_ids=[1])  # another year: not compared
    ReleaseFactory(number=2, respondent_ids=[])  # no respondents recorded: nothing to compare

    # 1-10 in release 1; this release drops 10 and adds 11-14.
    check = _differencing(set(range(1, 10)) | {11, 12, 13, 14}, previous=first)

    assert check.difference == 5
    assert check.small_groups == [
        "4 organisations are in this release but not in release 1 (fewer than 5)",
        "1 organisation is in release 1 but not in this release (fewer than 5)",
    ]
    assert check.needs_override
    assert check.problems == [
        "Comparing this year's releases could reveal the answers of a few members: "
        "4 organisations are in this release but not in release 1 (fewer than 5); "
        "1 organisation is in release 1 but not in this release (fewer than 5). "
        "Publish only with a written override reason."
    ]

    overridden = _differencing(set(range(1, 10)) | {11, 12, 13, 14}, previous=first, override_reason="Board.")
    assert overridden.needs_override and overridden.problems == []
    blank = _differencing(set(range(1, 10)) | {11, 12, 13, 14}, previous=first, override_reason="  ")
    assert len(blank.problems) == 1


def test_the_differencing_check_passes_groups_of_k_and_names_groups_inside_several_releases():
    from tests.factories import ReleaseFactory

    first = ReleaseFactory(number=1, respondent_ids=list(range(1, 6)))
    check = _differencing(range(1, 11), previous=first)
    assert (check.difference, check.small_groups, check.needs_override, check.problems) == (5, [], False, [])

    second = ReleaseFactory(number=2, respondent_ids=list(range(1, 11)))
    check = _differencing(range(3, 11), previous=second)
    assert check.difference == 2
    # {1, 2} left; {3, 4, 5} are in every release; {6, …, 10} joined in release 2 (five: not small).
    assert check.small_groups == [
        "2 organisations are in release 1 and release 2 but not in this release (fewer than 5)",
        "3 organisations are in release 1 and release 2 and this release (fewer than 5)",
    ]


def test_the_differencing_check_has_nothing_to_compare_in_a_first_release():
    from tests.factories import ReleaseFactory

    check = _differencing({1, 2})
    assert (check.difference, check.small_groups, check.problems) == (None, [], [])
    # A previous release of which no respondents were recorded gives no difference either.
    previous = ReleaseFactory(number=1, respondent_ids=[])
    ReleaseFactory(number=2, respondent_ids=[1, 2, 3, 4, 5])
    assert _differencing({1, 2, 3, 4, 5}, previous=previous).difference is None


def test_a_release_is_final_only_once_its_survey_has_closed():
    from metrics.services.publishing import _release_status, release_interim_needed

    assert not release_interim_needed(year=2031)  # no survey: imported history
    build_cycle(2024)  # closed on 30 June 2024
    assert not release_interim_needed(year=2024)
    assert _release_status(year=2024, interim=False) == Release.Status.FINAL
    assert _release_status(year=2024, interim=True) == Release.Status.INTERIM
    build_cycle(2026, open_now=True)
    assert release_interim_needed(year=2026)
    assert _release_status(year=2026, interim=True) == Release.Status.INTERIM
    with pytest.raises(PublishError) as refused:
        _release_status(year=2026, interim=False)
    assert str(refused.value) == (
        "The 2026 survey is still open, so its figures are incomplete. Publish them as interim figures "
        "(tick “Interim”, or --interim), or wait until the survey closes."
    )
