"""Disclosure control against a determined reader (docs/disclosure.md).

The eight cases of issue 10 are tried as an outside reader would, with `tests/metrics/reader.py`: a
member-level integer program written apart from the production audit, fed only what was published.
"""

import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.disclosure import ReleaseFigures, is_small, primary, protect, public_value
from metrics.disclosure.audit import (
    Layout,
    QuestionShape,
    asked_code,
    differencing_groups,
    isolated_groups,
    no_code,
)
from metrics.models import ReleaseValue
from metrics.report import row_from
from metrics.services import PublishError, indicators_recompute, release_publish, release_review
from surveys.models import Answer, Option, Submission
from tests.factories import OrganizationFactory, add_submission, build_cycle

from .reader import Published, Q, Reader, groups, pinned_small

K = 5

# The factories' questionnaire (build_cycle in tests/factories.py), as every reader knows it.
QUESTIONS = [
    Q("safety_by_design", "multiple_choice", ("formal_reviews", "red_teaming", "none")),
    Q("image_hashing", "multiple_choice", ("photodna", "internal", "none")),
    Q("internal_hashing_shared", "yes_no", condition=("image_hashing", "internal")),
    Q("authority_reporting", "single_choice", ("api_only", "manual_only", "none")),
    Q("supplemental_reports", "yes_no"),
    Q("trust_framework", "single_choice", ("fully_aligned", "not_aligned")),
]
QUESTION_CODES = {q.code for q in QUESTIONS}


def only(*codes: str) -> list[Q]:
    """The questions a case is about, so that the reader's verdict is about them alone."""
    return [q for q in QUESTIONS if q.code in codes]


def answers(**overrides) -> dict:
    """Every required question answered (a reader knows required questions are), with overrides."""
    base = {
        "safety_by_design": ["formal_reviews"],
        "image_hashing": ["photodna"],
        "authority_reporting": "api_only",
        "supplemental_reports": True,
        "trust_framework": "fully_aligned",
    }
    base.update(overrides)
    if "internal" in base["image_hashing"]:
        base.setdefault("internal_hashing_shared", False)
    return base


def members(cycle, count: int, **overrides) -> list[Submission]:
    return [add_submission(cycle, answers=answers(**overrides)) for _ in range(count)]


def published(release, *, versions=None) -> Published:
    """A release exactly as the public sees it: values, denominators and the label of each withheld figure."""
    figures, denominators, labels = {}, {}, {}
    for value in release.values.all():
        figures[value.code] = None if value.suppressed else int(value.value)
        if value.suppressed:
            labels[value.code] = row_from(value, threshold=release.min_published_count).shown
        question = value.code.partition(".")[0]
        if question in QUESTION_CODES and value.code != "members":
            denominators.setdefault(question, value.denominator)
    return Published(
        members=frozenset(release.respondent_ids),
        figures=figures,
        denominators=denominators,
        labels=labels,
        versions=versions or {},
    )


def publish(year=2025, **kwargs):
    indicators_recompute(year=year)
    return release_publish(year=year, published_by=None, **kwargs)


@pytest.fixture
def cycle(settings):
    settings.MIN_PUBLISHED_COUNT = K
    return build_cycle(2025)


# --- The k rule -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count,expected",
    [(0, (0, False)), (1, (None, True)), (K - 1, (None, True)), (K, (K, False)), (40, (40, False))],
)
def test_member_counts_between_one_and_threshold_minus_one_are_withheld(count, expected):
    assert public_value(count, counts_members=True, threshold=K, imported=False) == expected


def test_imported_history_is_shown_as_published_even_when_small():
    assert public_value(4, counts_members=True, threshold=K, imported=True) == (4, False)


@pytest.mark.django_db
def test_the_minimum_count_comes_from_the_setting(settings):
    settings.MIN_PUBLISHED_COUNT = 7
    cycle = build_cycle(2025)
    for index in range(10):
        add_submission(cycle, answers=answers(safety_by_design=["red_teaming"] if index < 6 else ["none"]))

    release = publish()

    value = release.values.get(code="safety_by_design.red_teaming")
    assert (value.value, value.suppressed, release.min_published_count) == (None, True, 7)


@pytest.mark.django_db
def test_a_release_never_stores_a_withheld_value_and_keeps_the_real_one_for_staff_only(cycle):
    members(cycle, 3, image_hashing=["internal"])
    members(cycle, 9)

    release = publish()

    assert not ReleaseValue.objects.filter(suppressed=True, value__isnull=False).exists()
    assert release.withheld_figures.get(code="image_hashing.internal").value == 3


# --- Case 1: complementary suppression must not be reversible ---------------------------------------------


@pytest.mark.django_db
def test_case_1_a_withheld_single_choice_option_cannot_be_worked_back(cycle):
    members(cycle, 24, authority_reporting="api_only")
    members(cycle, 12, authority_reporting="manual_only")
    members(cycle, 4, authority_reporting="none")

    release = publish()

    reader = Reader(only("authority_reporting"), [published(release)])
    assert release.values.get(code="authority_reporting.none").suppressed
    assert not pinned_small(reader.interval(0, "authority_reporting.none"), K)


# --- Case 2: an exclusive option is bounded by the others -------------------------------------------------


@pytest.mark.django_db
def test_case_2_a_withheld_exclusive_option_is_not_pinned_by_the_largest_other(cycle):
    members(cycle, 39, image_hashing=["photodna"])
    members(cycle, 1, image_hashing=["none"])

    release = publish()

    reader = Reader(only("image_hashing"), [published(release)])
    assert release.values.get(code="image_hashing.none").suppressed
    assert not pinned_small(reader.interval(0, "image_hashing.none"), K)


# --- Case 3: yes/no complements ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_3_a_few_no_answers_cannot_be_worked_out_from_the_yes_count(cycle):
    members(cycle, 38, supplemental_reports=True)
    members(cycle, 2, supplemental_reports=False)

    release = publish()

    reader = Reader(only("supplemental_reports"), [published(release)])
    assert not pinned_small(reader.interval(0, "supplemental_reports#no"), K)
    assert release.withheld_figures.get(code=no_code("supplemental_reports")).value == 2


# --- Case 4: differences across several releases ----------------------------------------------------------


def _status(submissions, status):
    Submission.objects.filter(pk__in=[s.pk for s in submissions]).update(status=status)


@pytest.mark.django_db
def test_case_4_releases_combined_in_any_way_never_isolate_fewer_than_k_members(cycle):
    members(cycle, 10)
    b = members(cycle, 6, supplemental_reports=False)
    c = members(cycle, 6, trust_framework="not_aligned")
    _status(b + c, Submission.Status.REOPENED)
    publish()  # R1 = A
    _status(b, Submission.Status.APPROVED)
    publish(note="Late members.")  # R2 = A + B
    _status(b, Submission.Status.REOPENED)
    _status(c, Submission.Status.APPROVED)
    publish(note="Corrections.")  # R3 = A + C
    _status(b[1:], Submission.Status.APPROVED)  # R4 = A + C + (B without b1): b1 = R2 + R3 − R1 − R4

    with pytest.raises(PublishError, match=r"1 organisation is in release 2 but not in"):
        publish(note="More corrections.")

    release = publish(note="More corrections.", override_reason="Board approved: b1 consented.")
    assert "differencing override: Board approved" in release.correction.reason
    assert "Board approved" not in release.correction.public_note


def test_the_partition_of_respondents_by_releases_is_what_differencing_isolates():
    r1, r2, r3 = frozenset({1, 2, 3}), frozenset({1, 2, 3, 4}), frozenset({1, 2, 5})

    assert differencing_groups([r1, r2, r3]) == [
        ((False, False, True), 1),
        ((False, True, False), 1),
        ((True, True, False), 1),
        ((True, True, True), 2),
    ]


# --- Case 5: the corrections log reveals nothing new ------------------------------------------------------


def _switch(submission, *, image_hashing: list[str]):
    """A member corrects its image-hashing answer; the submission is approved again afterwards."""
    answer = Answer.objects.get(submission=submission, question__code="image_hashing")
    answer.options.set(Option.objects.filter(question=answer.question, code__in=image_hashing))
    Submission.objects.filter(pk=submission.pk).update(approved_at=timezone.now())


@pytest.mark.django_db
def test_case_5_the_public_log_never_names_the_member_and_never_pins_the_old_value(cycle, client):
    base20 = add_submission(
        cycle, answers=answers(image_hashing=["photodna"]), organization=OrganizationFactory(name="Base 20")
    )
    members(cycle, 19, image_hashing=["photodna"])
    members(cycle, 16, image_hashing=["internal"])
    members(cycle, 4, image_hashing=["none"])
    first = publish()
    assert first.values.get(code="image_hashing.none").suppressed
    _switch(base20, image_hashing=["none"])

    with pytest.raises(PublishError, match="names “Base 20”"):
        publish(note="Base 20 corrected its answers.", public_note="Base 20 corrected its answers.")
    second = publish(
        note="Base 20 corrected its answers.", public_note="A member corrected its image hashing answer."
    )

    page = client.get(reverse("metrics:methodology")).content.decode()
    assert "A member corrected its image hashing answer." in page and "Base 20" not in page
    # A reader who even knows that one member changed cannot pin release 1's withheld "none" (4).
    reader = Reader(QUESTIONS, [published(first), published(second, versions={base20.organization_id: 1})])
    assert second.values.get(code="image_hashing.none").value == 5
    assert not pinned_small(reader.interval(0, "image_hashing.none"), K)


@pytest.mark.django_db
def test_case_5_a_correction_that_would_pin_an_earlier_withheld_value_is_refused(cycle):
    members(cycle, 20, image_hashing=["photodna"])
    members(cycle, 16, image_hashing=["internal"])
    lone = add_submission(cycle, answers=answers(image_hashing=["none"]))
    publish()
    # The only member answering "none" corrects it: "none" becomes 0, and 0 is always shown, so release 1's
    # withheld "none" would be at most 0 + 1 changed member, and at least 1: exactly 1.
    _switch(lone, image_hashing=["photodna"])

    with pytest.raises(PublishError, match="could be worked out"):
        publish(note="Correction.", public_note="One answer was corrected.")


# --- Case 6: labels that are true -------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_6_every_withheld_figure_reads_withheld_and_no_label_is_false(cycle, client):
    members(cycle, 26, authority_reporting="api_only")
    members(cycle, 7, authority_reporting="manual_only")
    members(cycle, 3, authority_reporting="none")
    members(cycle, 2, safety_by_design=["red_teaming"])
    release = publish()
    withheld = list(release.values.filter(suppressed=True))
    assert {v.code for v in withheld} >= {"authority_reporting.none", "safety_by_design.red_teaming"}

    assert {row_from(v, threshold=K).shown for v in withheld} == {"withheld"}
    api = client.get(reverse("metrics:api-indicators"), {"year": 2025}).json()
    assert {i["shown_as"] for i in api["indicators"] if i["suppressed"]} == {"withheld"}
    csv_text = client.get(reverse("metrics:api-indicators-csv"), {"year": 2025}).content.decode()
    assert "fewer than" not in csv_text
    # What the labels claim is consistent with what is published: the reader finds no contradiction.
    assert Reader(QUESTIONS, [published(release)]).interval(0, "authority_reporting.none") is not None


# --- Case 7: denominators from who was asked --------------------------------------------------------------


@pytest.mark.django_db
def test_case_7_a_conditional_question_is_out_of_the_members_asked(cycle, client):
    members(cycle, 7, image_hashing=["internal"], internal_hashing_shared=True)
    members(cycle, 5, image_hashing=["internal"], internal_hashing_shared=False)
    members(cycle, 28)

    release = publish()

    shared = release.values.get(code="internal_hashing_shared")
    assert (shared.value, shared.denominator) == (Decimal(7), 12)
    assert release.values.get(code="image_hashing.internal").denominator == 40
    api = client.get(reverse("metrics:api-indicators"), {"year": 2025}).json()
    assert {i["code"]: i["denominator"] for i in api["indicators"]}["internal_hashing_shared"] == 12


# --- Case 8: a per-area milepost count from fewer than k members ------------------------------------------


def _milepost_values(release) -> dict[str, int | None]:
    return {
        v.code: None if v.suppressed else int(v.value)
        for v in release.values.filter(code__startswith="mileposts.")
        if v.code != "mileposts.per_member"
    }


@pytest.mark.django_db
def test_case_8_mileposts_from_one_member_are_withheld_and_cannot_be_worked_back(cycle):
    add_submission(cycle, answers=answers(), mileposts=["prevention", "detection", "response"])
    for index in range(9):
        add_submission(
            cycle, answers=answers(), mileposts=["detection"] + (["response"] if index < 5 else [])
        )

    release = publish()

    values = _milepost_values(release)
    assert values["mileposts.advanced.prevention"] is None
    # Brute force, as a reader: areas add up to the total; one milepost per area per member (the catalogue).
    members_count = 10
    unknown = [code for code, value in values.items() if value is None]
    possible = set()
    for guess in itertools.product(range(1, 3 * members_count + 1), repeat=len(unknown)):
        trial = {**values, **dict(zip(unknown, guess, strict=True))}
        areas = [trial[f"mileposts.advanced.{area}"] for area in ("prevention", "detection", "response")]
        if sum(areas) != trial["mileposts.advanced"] or any(
            a > trial["mileposts.members_advancing"] for a in areas
        ):
            continue
        if trial["mileposts.members_advancing"] > members_count:
            continue
        possible.add(trial["mileposts.advanced.prevention"])
    assert len(possible) > 1 and max(possible) >= K


# --- What staff see ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_tells_staff_how_many_figures_are_withheld_why_and_the_real_counts(cycle, admin_client):
    members(cycle, 39, image_hashing=["photodna"])
    members(cycle, 1, image_hashing=["none"])
    indicators_recompute(year=2025)

    review = release_review(year=2025)
    page = admin_client.get(reverse("metrics:staff-publish-preview", kwargs={"year": 2025})).content.decode()

    rows = {row.code: row for row in review.rows}
    assert (rows["image_hashing.none"].withheld_reason, rows["image_hashing.none"].real_value) == ("small", 1)
    assert rows["image_hashing.photodna"].withheld_reason == "protects"
    assert "real count 39" in page and "protects another figure" in page
    assert "withheld</strong>" in page


# --- Property: random small releases against the independent reader ---------------------------------------

LAYOUT = Layout(
    questions=(
        QuestionShape("tools", "multiple_choice", ("a", "b", "c", "none"), ("none",)),
        QuestionShape("shares_hashes", "yes_no", condition=("tools", "a")),
        QuestionShape("route", "single_choice", ("x", "y", "z")),
        QuestionShape("reports", "yes_no"),
    )
)
PROPERTY_QUESTIONS = [
    Q("tools", "multiple_choice", ("a", "b", "c", "none")),
    Q("shares_hashes", "yes_no", condition=("tools", "a")),
    Q("route", "single_choice", ("x", "y", "z")),
    Q("reports", "yes_no"),
]

member_answers = st.fixed_dictionaries(
    {
        "tools": st.one_of(
            st.just(("none",)),
            st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True).map(tuple),
        ),
        "shares_hashes": st.booleans(),
        "route": st.sampled_from("xyz"),
        "reports": st.booleans(),
    }
)


def counts(people: dict[int, dict], ids: frozenset) -> dict[str, int]:
    """Every figure of a release counted in plain Python from the members' answers."""
    chosen = [people[i] for i in ids]
    figures = {f"tools.{o}": sum(o in p["tools"] for p in chosen) for o in ("a", "b", "c", "none")}
    asked_shared = [p for p in chosen if "a" in p["tools"]]
    figures["shares_hashes"] = sum(p["shares_hashes"] for p in asked_shared)
    figures.update({f"route.{o}": sum(p["route"] == o for p in chosen) for o in "xyz"})
    figures["reports"] = sum(p["reports"] for p in chosen)
    figures.update(
        {
            asked_code("tools"): len(chosen),
            asked_code("shares_hashes"): len(asked_shared),
            asked_code("route"): len(chosen),
            asked_code("reports"): len(chosen),
            no_code("shares_hashes"): len(asked_shared) - figures["shares_hashes"],
            no_code("reports"): len(chosen) - figures["reports"],
        }
    )
    return figures


@st.composite
def releases(draw):
    size = draw(st.integers(min_value=5, max_value=40))
    extra = draw(st.integers(min_value=0, max_value=12))
    people = {i: draw(member_answers) for i in range(size + extra)}
    first = frozenset(range(size))
    sets, current, late = [first], set(first), list(range(size, size + extra))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        joining = draw(st.integers(min_value=0, max_value=len(late)))
        current |= set(late[:joining])
        late = late[joining:]
        leaving = draw(st.lists(st.sampled_from(sorted(current)), max_size=4, unique=True))
        current -= set(leaving)
        sets.append(frozenset(current))
    return people, sets


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(releases())
def test_no_small_withheld_figure_is_pinned_and_no_member_isolated_by_any_combination(case):
    people, candidate_sets = case
    published_sets: list[frozenset] = []
    audited: list[ReleaseFigures] = []
    public: list[Published] = []
    for members_in in candidate_sets:
        if len(members_in) < K:
            continue
        # The differencing rule, as publishing applies it: no group of the partition below k.
        if isolated_groups([*published_sets, members_in], threshold=K):
            continue
        values = counts(people, members_in)
        withheld, sensitive = primary(layout=LAYOUT, values=values, contributors={}, threshold=K)
        figures = ReleaseFigures(members=members_in, values=values, withheld=withheld, sensitive=sensitive)
        try:
            result = protect(layout=LAYOUT, releases=[*audited, figures], threshold=K)
        except Exception as error:  # an unprotectable release is refused, never published
            assert "worked out" in str(error)
            continue
        withheld_now = set(result.withheld)
        audited.append(
            ReleaseFigures(
                members=members_in, values=values, withheld=frozenset(withheld_now), sensitive=sensitive
            )
        )
        published_sets.append(members_in)
        public.append(
            Published(
                members=members_in,
                figures={
                    code: None if code in withheld_now else value
                    for code, value in values.items()
                    if "#" not in code
                },
                denominators={
                    q.code: None if asked_code(q.code) in withheld_now else values[asked_code(q.code)]
                    for q in PROPERTY_QUESTIONS
                },
            )
        )

    reader = Reader(PROPERTY_QUESTIONS, public)
    for index, members_in in enumerate(published_sets):
        truth = counts(people, members_in)
        for code, value in truth.items():
            hidden = code.endswith("#no") or code in audited[index].withheld
            if hidden and is_small(value, K):
                assert not pinned_small(reader.interval(index, code), K), (index, code, value)
            elif not hidden:
                assert not 0 < value < K, (index, code, value)  # nothing small is ever shown
    if published_sets:
        assert min(groups(published_sets).values()) >= K


# --- The guards one by one, on values worked out by hand ---------------------------------------------------


@pytest.mark.parametrize(
    "value,small", [(None, False), (0, False), (1, True), (Decimal(4), True), (K, False), (-1, False)]
)
def test_small_means_between_one_and_k_minus_one(value, small):
    assert is_small(value, K) is small


def test_a_figure_that_does_not_count_members_is_never_withheld_for_being_small():
    assert public_value(2, counts_members=False, threshold=K, imported=False) == (2, False)
    assert public_value(None, counts_members=True, threshold=K, imported=False) == (None, False)


def test_the_minimum_count_is_five_unless_set(settings):
    from metrics.disclosure import min_published_count

    del settings.MIN_PUBLISHED_COUNT
    assert min_published_count() == 5
    settings.MIN_PUBLISHED_COUNT = "9"
    assert min_published_count() == 9


def test_a_public_note_naming_a_member_is_refused_with_the_name_but_parts_of_words_are_not():
    from metrics.disclosure import public_note_problems

    assert public_note_problems("Figures from ACME corrected.", names=["Acme", "Zed", "Bo"]) == [
        "The public note names “Acme”. The public log must not say whose answers changed: describe the "
        "correction without naming any member."
    ]
    assert len(public_note_problems("zed and acme", names=["Acme", "Zed"])) == 2
    # Two letters are too short to be a name in prose; a name inside a longer word is not the name.
    assert public_note_problems("Bo's figures, Acmeville and Zedd.", names=["Bo", "Acme", "Zed"]) == []


@pytest.mark.parametrize(
    "code,interval,given_away",
    [
        ("safety_by_design.none", (1, 4), True),
        ("safety_by_design.none", (2, 2), True),
        ("safety_by_design.none", (0, 4), False),
        ("safety_by_design.none", (1, 5), False),
        ("safety_by_design.none", (7, 7), False),
        ("mileposts.advanced", (7, 7), True),
        ("mileposts.advanced", (7, 8), False),
        ("mileposts.advanced.prevention", (9, 9), True),
        ("mileposts.members_advancing", (7, 7), False),
    ],
)
def test_a_sensitive_figure_is_given_away_inside_one_to_k_minus_one_or_a_milepost_count_when_exact(
    code, interval, given_away
):
    from metrics.disclosure.audit import unsafe

    assert unsafe(code, interval, K) is given_away


@pytest.mark.parametrize(
    "per_member,members,totals",
    [
        (Decimal("0.8"), 4, (3, 3)),  # only 3 / 4 = 0.75 rounds to 0.8
        (Decimal("1.0"), 20, (19, 20)),  # 19/20 = 0.95 and 20/20; 21/20 = 1.05 rounds to 1.1
        (Decimal("0.0"), 30, (0, 1)),  # never below zero; 1/30 = 0.03
        (Decimal("1.2"), 9, (11, 11)),  # 10.35 rounds up to 11: 10/9 = 1.11 and 12/9 = 1.33
    ],
)
def test_the_mileposts_totals_a_published_per_member_figure_allows(per_member, members, totals):
    from metrics.disclosure.audit import _per_member_range

    assert _per_member_range(per_member, members) == totals


def test_primary_withholds_small_member_counts_and_mileposts_from_few_members():
    layout = Layout(
        questions=(
            QuestionShape("sbd", "multiple_choice", ("a", "b", "none")),
            QuestionShape("rep", "yes_no"),
            QuestionShape("cond", "yes_no", required=False),
        ),
        milepost_caps=(("prevention", 2), ("detection", 2)),
    )
    values = {
        "sbd.a": 3,
        "sbd.b": 5,
        "sbd.none": 0,
        asked_code("sbd"): 8,
        no_code("sbd"): 2,  # not a yes/no question: no "no" count to protect
        "rep": 7,
        no_code("rep"): 1,
        asked_code("rep"): 8,
        "cond": 0,
        asked_code("cond"): 2,
        "mileposts.members_advancing": 4,
    }
    contributors = {
        "mileposts.advanced": 4,
        "mileposts.advanced.prevention": 1,
        "mileposts.advanced.detection": 5,
    }

    withheld, sensitive = primary(layout=layout, values=values, contributors=contributors, threshold=K)

    expected = {
        "sbd.a",
        asked_code("cond"),
        "mileposts.members_advancing",
        "mileposts.advanced",
        "mileposts.advanced.prevention",
    }
    assert withheld == expected
    assert sensitive == expected | {no_code("rep")}

    no_mileposts = Layout(questions=layout.questions)
    withheld, sensitive = primary(layout=no_mileposts, values=values, contributors=contributors, threshold=K)
    assert withheld == {"sbd.a", asked_code("cond")}
    assert sensitive == {"sbd.a", asked_code("cond"), no_code("rep")}


def test_only_groups_smaller_than_k_are_isolated():
    four, five = frozenset({1, 2, 3, 4}), frozenset({5, 6, 7, 8, 9})

    assert isolated_groups([four, four | five], threshold=K) == [((True, True), 4)]
    assert isolated_groups([five, four | five], threshold=K) == [((False, True), 4)]
    assert isolated_groups([], threshold=K) == []
    assert differencing_groups([]) == []


def test_what_withholding_a_figure_costs():
    from metrics.disclosure.audit import _cost, _Family

    family = _Family()
    release = ReleaseFigures(
        members=frozenset(range(6)),
        values={
            asked_code("q"): 6,
            asked_code("r"): 4,
            "q.a": 3,
            "q.one": 1,
            "q.b": 0,
            "members": 6,
            "mileposts.advanced": 7,
        },
        per_member=Decimal("1.2"),
    )
    assert _cost(release, asked_code("q"), family) is None  # everyone was asked: public anyway
    assert _cost(release, asked_code("r"), family) == 4.0
    assert _cost(release, "q.a", family) == 3.0
    assert _cost(release, "q.one", family) == 1.0
    assert _cost(release, "q.b", family) is None  # zero is always shown
    assert _cost(release, "q.c", family) is None
    assert _cost(release, "members", family) is None
    assert _cost(release, "mileposts.per_member", family) == 7.5
    no_ratio = ReleaseFigures(members=frozenset(range(6)), values={})
    assert _cost(no_ratio, "mileposts.per_member", family) is None
    no_total = ReleaseFigures(members=frozenset(range(6)), values={}, per_member=Decimal("0.0"))
    assert _cost(no_total, "mileposts.per_member", family) == 0.5
