import csv
import io
import json

import pytest
from django.urls import reverse

from metrics import report
from metrics.cache import public_cache_clear
from tests.factories import (
    IndicatorDefinitionFactory,
    IndicatorValueFactory,
    reference_releases_create,
    release_of_every_indicator,
    release_with_values,
)

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/prevention/", "/detection/", "/response/", "/trends/", "/methodology/", "/open-data/"]


@pytest.fixture
def reference():
    return reference_releases_create()


def _figure(response, figure_id: str) -> dict:
    html = response.content.decode()
    start = html.index(f'<script id="{figure_id}-data" type="application/json">') + len(
        f'<script id="{figure_id}-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- Overview -------------------------------------------------------------------------------------------


def test_overview_headline_for_the_latest_year_in_words(client, reference):
    response = client.get("/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "2025 at a glance" in text
    assert 'data-headline="mileposts">317<' in text
    assert "more than double 2024" in text
    assert "5+ improvements per company" in text
    assert 'data-headline="members">57<' in text


def test_year_selector_lists_every_published_year_and_selects_one(client, reference):
    response = client.get("/?year=2024")

    text = response.content.decode()
    for year in (2022, 2023, 2024, 2025):
        assert f'<option value="{year}"' in text
    assert '<option value="2024" selected>' in text
    assert 'data-headline="mileposts">122<' in text
    assert "44 of 45 members advanced at least one milepost" in text


@pytest.mark.parametrize("year", ["2026", "1999", "twenty", "2025x", "²⁰²⁵", "9" * 5000])
def test_unpublished_unknown_or_malformed_year_is_not_found(client, reference, year):
    for page in ("/", "/prevention/"):
        assert client.get(f"{page}?year={year}").status_code == 404


def test_mileposts_chart_shows_totals_for_years_without_an_area_split(client, reference):
    release_with_values(
        2026,
        {
            "members": 60,
            "mileposts.advanced": 400,
            "mileposts.advanced.prevention": 150,
            "mileposts.advanced.detection": 130,
            "mileposts.advanced.response": 120,
        },
        denominator=60,
    )

    figure = _figure(client.get("/"), "figure-mileposts")

    traces = {trace["name"]: trace["y"] for trace in figure["data"]}
    assert traces["Prevention"] == [None, None, 150.0]
    assert traces["All areas (not split by area that year)"] == [122.0, 317.0, None]
    rows = _csv(client.get(reverse("metrics:mileposts-csv")))
    assert [(r["year"], r["prevention"], r["total"]) for r in rows] == [
        ("2024", "", "122"),
        ("2025", "", "317"),
        ("2026", "150", "400"),
    ]
    assert (
        "2024 and 2025 were published only as a total, without the split by area."
        in client.get("/").content.decode()
    )


def test_the_overview_says_a_year_is_split_by_area_when_it_is(client):
    release_with_values(
        2024,
        {
            "members": 45,
            "mileposts.advanced": 122,
            "mileposts.advanced.prevention": 50,
            "mileposts.advanced.detection": 40,
            "mileposts.advanced.response": 32,
        },
    )

    html = client.get("/").content.decode()

    assert "published only as a total" not in html
    assert "Every year shown is split by area." in html


def test_area_pages_label_yes_no_figures_briefly_and_quote_enforcement_plainly(client):
    release_of_every_indicator()

    response = client.get("/response/")

    html = response.content.decode()
    assert _figure(response, "figure-supplemental_reports")["data"][0]["y"] == ["Send supplemental reports"]
    assert "Do you submit supplemental or follow-up reports to the clearinghouse?" not in html
    assert "reported using suspending" not in html and "reported using removing" not in html
    assert (
        "members reported suspending or permanently banning accounts among the actions they can take." in html
    )


def test_overview_without_any_release_says_nothing_is_published(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "No figures have been published yet." in response.content.decode()
    assert b"plotly" not in response.content


# --- Area pages -----------------------------------------------------------------------------------------


def test_detection_page_has_each_group_chart_sentence_table_and_csv(client, reference):
    response = client.get("/detection/")

    text = response.content.decode()
    for title in ("Image hashing", "Video hashing", "Classifiers"):
        assert f">{title}</h2>" in text
    assert "In 2025, 37 of 57 members reported using Microsoft PhotoDNA." in text
    figure = _figure(response, "figure-image_hashing")
    bars = dict(zip(figure["data"][0]["y"], figure["data"][0]["x"], strict=True))
    assert bars["Microsoft PhotoDNA"] == 37
    assert figure["config"]["responsive"] is True
    assert '<th scope="row">Microsoft PhotoDNA</th><td class="text-end">37</td>' in text
    assert 'href="/data/2025/image_hashing.csv"' in text
    assert "plotly-basic.min.js" in text and "js/charts.js" in text


def test_group_csv_is_exactly_that_charts_data(client, reference):
    response = client.get("/data/2025/image_hashing.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert [(r["code"], r["value"], r["denominator"]) for r in rows] == [
        ("image_hashing.photodna", "37", "57"),
        ("image_hashing.safer", "21", "57"),
        ("image_hashing.pdq", "13", "57"),
        ("image_hashing.internal", "17", "57"),
    ]
    figure = _figure(client.get("/detection/"), "figure-image_hashing")
    assert figure["data"][0]["x"] == [float(r["value"]) for r in rows]


def test_group_csv_for_unpublished_year_or_unknown_group_is_not_found(client, reference):
    assert client.get("/data/2026/image_hashing.csv").status_code == 404
    assert client.get("/data/2025/not_a_group.csv").status_code == 404


def test_suppressed_figure_reads_withheld_everywhere_and_never_a_number(client):
    release_with_values(
        2025,
        {"members": 57, "classifiers.image": 41, "classifiers.sextortion": "suppressed"},
        denominator=57,
        labels={"classifiers.sextortion": "Sextortion"},
    )

    page = client.get("/detection/")
    text = page.content.decode()
    assert '<th scope="row">Sextortion</th><td class="text-end">withheld</td>' in text
    figure = _figure(page, "figure-classifiers")
    assert figure["data"][0]["x"] == [41.0, None]
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["withheld"]
    rows = {r["code"]: r for r in _csv(client.get("/data/2025/classifiers.csv"))}
    assert rows["classifiers.sextortion"]["value"] == ""
    assert rows["classifiers.sextortion"]["suppressed"] == "true"
    assert rows["classifiers.sextortion"]["shown_as"] == "withheld"
    api = client.get("/api/v1/indicators/").json()
    sextortion = next(i for i in api["indicators"] if i["code"] == "classifiers.sextortion")
    assert sextortion["value"] is None and sextortion["suppressed"] is True


def test_quotable_sentence_never_quotes_a_suppressed_or_none_figure(client):
    release_with_values(
        2025,
        {
            "members": 57,
            "video_hashing.none": 40,
            "video_hashing.safer": "suppressed",
            "video_hashing.pdq": 9,
        },
        denominator=57,
        labels={"video_hashing.pdq": "TMK+PDQF"},
    )

    text = client.get("/detection/").content.decode()

    assert "In 2025, 9 of 57 members reported using TMK+PDQF." in text


# --- Trends and methodology -----------------------------------------------------------------------------


def test_trends_include_imported_history_with_gaps_not_zeros(client, reference):
    response = client.get("/trends/")

    text = response.content.decode()
    assert "13 (2022) → 41 (2025)" in text
    assert "4 (2022) → 32 (2025)" in text
    assert "17 (2024) → 13 (2025)" in text
    figure = _figure(response, "figure-trend-classifiers")
    assert figure["data"][0]["x"] == ["2022", "2023", "2024", "2025"]
    assert figure["data"][0]["y"] == [13.0, None, None, 41.0]
    assert figure["data"][0]["connectgaps"] is False
    # Only published in one year: no trend.
    assert "figure-trend-image_hashing" not in text
    rows = _csv(client.get("/data/trends/classifiers.csv"))
    assert {(r["year"], r["code"], r["value"]) for r in rows} == {
        ("2022", "classifiers.image", "13"),
        ("2025", "classifiers.image", "41"),
        ("2022", "classifiers.video", "4"),
        ("2025", "classifiers.video", "32"),
    }
    assert client.get("/data/trends/image_hashing.csv").status_code == 404


def test_methodology_shows_threshold_and_every_correction(client, reference, settings):
    from metrics.models import Correction

    settings.MIN_PUBLISHED_COUNT = 7
    corrected = release_with_values(
        2025, {"members": 57, "mileposts.advanced": 318}, number=2, denominator=57
    )
    Correction.objects.create(
        release=corrected,
        reason="Staff only: Acme's milepost was counted twice.",
        public_note="One member's milepost was counted twice.",
        changes=[{"code": "mileposts.advanced", "label": "Mileposts advanced", "old": "317", "new": "318"}],
    )

    text = client.get("/methodology/").content.decode()

    assert "When fewer than 7 members are behind a figure" in text
    assert "Acme" not in text
    assert "2025, release 2" in text
    assert "One member&#x27;s milepost was counted twice." in text
    assert (
        '<th scope="row">Mileposts advanced</th><td class="text-end">317</td><td class="text-end">318</td>'
        in text
    )


def test_latest_release_of_a_year_replaces_the_earlier_one(client, reference):
    release_with_values(2025, {"members": 57, "mileposts.advanced": 318}, number=2, denominator=57)

    text = client.get("/").content.decode()

    assert 'data-headline="mileposts">318<' in text
    assert "release 2" in text


# --- Nothing unpublished --------------------------------------------------------------------------------


def test_computed_values_without_a_release_never_appear(client, reference):
    definition = IndicatorDefinitionFactory(code="image_hashing.photodna", group="image_hashing")
    IndicatorValueFactory(year=2026, indicator=definition, value=99, denominator=60)
    IndicatorValueFactory(
        year=2026,
        indicator=IndicatorDefinitionFactory(code="mileposts.advanced", group="mileposts"),
        value=777,
    )

    for url in PUBLIC_PAGES:
        body = client.get(url).content.decode()
        assert '<option value="2026"' not in body and "2026 at a glance" not in body, url
        assert '"2026"' not in body, url  # not a chart category either
        assert ">99<" not in body and "777" not in body, url
    assert client.get("/api/v1/indicators/?year=2026").status_code == 404
    assert "2026" not in json.dumps([y["year"] for y in client.get("/api/v1/years/").json()["years"]])


# --- Cache ----------------------------------------------------------------------------------------------


def test_cached_public_entries_never_hold_the_respondents_behind_a_release(client, reference):
    import pickle

    from metrics.cache import _local
    from metrics.models import Correction, Release

    Release.objects.update(respondent_ids=[101, 202, 303])
    corrected = release_with_values(2025, {"members": 57}, number=2, denominator=57)
    Release.objects.filter(pk=corrected.pk).update(respondent_ids=[101, 202, 404])
    Correction.objects.create(release=corrected, reason="A correction.", changes=[])

    for url in PUBLIC_PAGES:
        assert client.get(url).status_code == 200, url
    client.get("/api/v1/indicators/")

    assert _local["values"]
    for key, value in _local["values"].items():
        assert b"respondent_ids" not in pickle.dumps(value), key


def test_public_pages_are_cached_until_the_public_cache_is_cleared(
    client, reference, django_assert_num_queries
):
    client.get("/")
    from metrics.models import ReleaseValue

    ReleaseValue.objects.filter(code="mileposts.advanced", release__year=2025).update(value=999)
    with django_assert_num_queries(0):
        cached = client.get("/")
    assert 'data-headline="mileposts">317<' in cached.content.decode()
    assert "public" in cached["Cache-Control"]

    public_cache_clear()

    assert 'data-headline="mileposts">999<' in client.get("/").content.decode()


def test_publishing_a_year_clears_the_public_cache(client, admin_user, django_capture_on_commit_callbacks):
    from metrics.indicators import indicators_sync
    from metrics.services import indicators_recompute, release_publish
    from tests.factories import add_approved, build_cycle

    cycle = build_cycle(2025)
    add_approved(cycle, 6)
    indicators_sync(cycle=cycle)
    indicators_recompute(year=2025)
    assert client.get("/api/v1/indicators/?year=2025").status_code == 404
    assert "No figures have been published yet." in client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        release_publish(year=2025, published_by=admin_user)

    document = client.get("/api/v1/indicators/?year=2025").json()
    assert {i["code"]: i["value"] for i in document["indicators"]}["safety_by_design.formal_reviews"] == 6
    assert "2025 at a glance" in client.get("/").content.decode()


def test_signed_in_people_get_fresh_navigation_and_a_private_response(client, reference, lead_a):
    client.get("/")  # cached for anonymous visitors
    client.force_login(lead_a)

    response = client.get("/")

    assert "Log out" in response.content.decode()
    assert "private" in response["Cache-Control"]


# --- Bounded queries ------------------------------------------------------------------------------------


def test_public_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    from tests.factories import OrganizationFactory

    OrganizationFactory.create_batch(60)
    for year in range(2015, 2026):
        values = {"members": 60, "mileposts.advanced": 300}
        for group in ("safety_by_design", "image_hashing", "classifiers", "enforcement_tools"):
            values.update({f"{group}.option_{n}": n for n in range(40)})
        release_with_values(year, values, denominator=60)

    for url in [*PUBLIC_PAGES, "/?year=2019", "/data/2020/classifiers.csv", "/data/trends/classifiers.csv"]:
        public_cache_clear()
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200, url


def test_healthz_is_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_imported_year_without_mileposts_shows_dashes_not_zeros(client, reference):
    text = client.get("/?year=2022").content.decode()

    assert "2022 at a glance" in text
    assert 'data-headline="mileposts">—<' in text
    assert 'data-headline="members">—<' in text
    classifiers = client.get("/detection/?year=2022").content.decode()
    assert "In 2022, 13 members reported using classifiers for images (likely new CSAM)." in classifiers
    assert "No figures were published for image hashing in 2022." in classifiers


def _rows_by_section(html: str) -> dict[str, set[str]]:
    """{section id: the row labels of its chart's table} of an area page."""
    import re

    sections = re.findall(
        r'<section id="([a-z_]+)"[^>]*class="mb-5 group-section">(.*?)</section>', html, re.S
    )
    return {code: set(re.findall(r'<th scope="row">([^<]*)</th>', body)) for code, body in sections}


def test_every_published_figure_of_a_release_is_on_exactly_one_area_page(client):
    from collections import Counter

    from metrics.models import ReleaseValue

    release = release_of_every_indicator()
    pages = {
        page: _rows_by_section(client.get(f"/{page}/").content.decode()) for page in report.PAGES_BY_CODE
    }

    on_the_overview = {"members", "mileposts"}
    figures = Counter(
        ReleaseValue.objects.filter(release=release)
        .exclude(group__in=on_the_overview)
        .values_list("group", flat=True)
    )
    assert {"internal_hashing_shared", "in_product_reporting", "transparency_report_published"} <= set(
        figures
    )
    shown = {
        group: [(page, len(sections[group])) for page, sections in pages.items() if group in sections]
        for group in figures
    }
    # Each group on one page only, with one table row (and one bar) per figure of the release.
    assert {
        group: places for group, places in shown.items() if [count for _, count in places] != [figures[group]]
    } == {}
