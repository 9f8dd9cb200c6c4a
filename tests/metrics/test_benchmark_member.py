"""The member's private benchmark: own answers beside published figures, nothing else."""

import pytest
from django.urls import reverse

from surveys.models import Submission
from tests.factories import add_submission, build_cycle, release_with_values

pytestmark = pytest.mark.django_db

LABELS = {
    "image_hashing.photodna": "Microsoft PhotoDNA",
    "image_hashing.internal": "Internal hashing systems",
    "safety_by_design.formal_reviews": "Formal safety reviews",
    "safety_by_design.red_teaming": "Red teaming",
}


@pytest.fixture
def published_2025(org_a, org_b):
    cycle = build_cycle(2025)
    add_submission(
        cycle,
        organization=org_a,
        answers={
            "safety_by_design": ["formal_reviews"],
            "image_hashing": ["photodna", "internal"],
            "supplemental_reports": True,
        },
        mileposts=["prevention", "detection"],
    )
    add_submission(cycle, organization=org_b, answers={"safety_by_design": ["red_teaming"]})
    release_with_values(
        2025,
        {
            "members": 57,
            "mileposts.advanced": 317,
            "safety_by_design.formal_reviews": 49,
            "safety_by_design.red_teaming": 25,
            "image_hashing.photodna": 37,
            "image_hashing.internal": "suppressed",
        },
        denominator=57,
        labels=LABELS,
    )
    return cycle


def _page(client, org):
    return client.get(reverse("metrics:member-benchmark", kwargs={"org_slug": org.slug}))


def test_member_sees_own_answers_beside_published_figures(lead_client, org_a, published_2025):
    text = _page(lead_client, org_a).content.decode()

    assert "You reported “Microsoft PhotoDNA” — as did 37 of 57 members." in text
    assert "You reported “Formal safety reviews” — as did 49 of 57 members." in text
    assert '<th scope="row">Red teaming</th><td>No</td><td>25 of 57 members</td>' in text
    assert (
        "You advanced 2 mileposts (prevention 1, detection 1); all 57 members together advanced 317" in text
    )


def test_suppressed_figure_reads_withheld_even_to_a_member_who_chose_it(lead_client, org_a, published_2025):
    text = _page(lead_client, org_a).content.decode()

    assert "You reported “Internal hashing systems” — as did a withheld number of the 57 members." in text


def test_only_published_years_with_an_approved_submission_appear(lead_client, org_a, published_2025):
    unpublished = build_cycle(2026)
    add_submission(unpublished, organization=org_a, answers={"safety_by_design": ["red_teaming"]})
    draft_year = build_cycle(2024)
    add_submission(draft_year, organization=org_a, answers={}, status=Submission.Status.DRAFT)
    release_with_values(2024, {"members": 45, "safety_by_design.red_teaming": 20}, denominator=45)

    text = _page(lead_client, org_a).content.decode()

    assert 'id="year-2025-heading"' in text
    assert 'id="year-2026-heading"' not in text
    assert 'id="year-2024-heading"' not in text


def test_member_without_a_published_year_is_told_why_the_page_is_empty(lead_client, org_a):
    text = _page(lead_client, org_a).content.decode()

    assert "There is nothing to compare yet" in text


def test_another_members_benchmark_is_not_found(client, member_b, org_a, published_2025):
    client.force_login(member_b)

    assert _page(client, org_a).status_code == 404


def test_member_b_sees_only_their_own_answers(client, member_b, org_b, published_2025):
    client.force_login(member_b)

    text = _page(client, org_b).content.decode()

    assert '<th scope="row">Red teaming</th><td>Yes</td>' in text
    assert '<th scope="row">Formal safety reviews</th><td>No</td>' in text
    assert "You advanced 0 mileposts" in text


def test_benchmark_is_never_cached_publicly(lead_client, org_a, published_2025):
    response = _page(lead_client, org_a)

    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_benchmark_runs_a_bounded_number_of_queries(lead_client, org_a, django_assert_max_num_queries):
    for year in range(2019, 2026):
        cycle = build_cycle(year)
        add_submission(
            cycle,
            organization=org_a,
            answers={"safety_by_design": ["formal_reviews"], "image_hashing": ["photodna"]},
            mileposts=["prevention", "detection", "response"],
        )
        release_with_values(
            year,
            {"members": 57, **{f"image_hashing.option_{n}": n + 5 for n in range(30)}},
            denominator=57,
        )

    with django_assert_max_num_queries(15):
        assert _page(lead_client, org_a).status_code == 200


# --- The selector itself --------------------------------------------------------------------------------


def test_the_benchmark_reads_only_the_organisations_own_visible_answers(
    org_a, org_b, published_2025, monkeypatch
):
    from metrics.selectors import member_benchmark
    from surveys.models import Answer

    Submission.objects.filter(organization=org_a).update(status=Submission.Status.APPROVED)
    own = Submission.objects.get(organization=org_a)
    hidden = Answer.objects.get(submission=own, question__code="supplemental_reports")
    Answer.objects.filter(pk=hidden.pk).update(is_visible=False)
    loaded = []
    from_db = Answer.from_db.__func__

    def recording(cls, db, field_names, values, **kwargs):
        answer = from_db(cls, db, field_names, values, **kwargs)
        loaded.append(answer.submission_id)
        return answer

    monkeypatch.setattr(Answer, "from_db", classmethod(recording))

    (year,) = member_benchmark(organization=org_a)

    assert year.submission == own
    assert year.answers == {"safety_by_design": ["formal_reviews"], "image_hashing": ["internal", "photodna"]}
    assert set(loaded) == {own.pk}


def test_the_benchmark_lists_mileposts_by_area_then_title(org_a, published_2025):
    from metrics.selectors import member_benchmark
    from surveys.models import Milepost, SubmissionMilepost

    own = Submission.objects.get(organization=org_a)
    Submission.objects.filter(pk=own.pk).update(status=Submission.Status.APPROVED)
    SubmissionMilepost.objects.filter(submission=own).delete()
    for code, area, title in [
        ("p_zeta", "prevention", "Zeta"),
        ("d_omega", "detection", "Omega"),
        ("p_alpha", "prevention", "Alpha"),
    ]:
        milepost = Milepost.objects.create(code=code, area=area, title=title)
        SubmissionMilepost.objects.create(submission=own, milepost=milepost, description="Done.")

    (year,) = member_benchmark(organization=org_a)

    assert [m.milepost.code for m in year.mileposts] == ["d_omega", "p_alpha", "p_zeta"]
