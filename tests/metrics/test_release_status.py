"""Publishing guards (issue 11, case 5): interim releases of a year whose survey is open, labelled everywhere;
no year-on-year headline for interim figures; the release's public note on the pages and in the API; a
warning when the respondents are fewer than last year's."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from metrics.models import Correction, Release
from metrics.services import PublishError, indicators_recompute, release_publish, release_warnings
from tests.factories import add_approved, build_cycle, release_with_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_year():
    cycle = build_cycle(2026, open_now=True)
    add_approved(cycle, 6)
    indicators_recompute(year=2026)
    return cycle


def test_a_year_whose_survey_is_open_cannot_be_published_as_final(open_year, administrator):
    with pytest.raises(PublishError, match="The 2026 survey is still open"):
        release_publish(year=2026, published_by=administrator)
    assert not Release.objects.exists()
    release = release_publish(year=2026, published_by=administrator, interim=True)
    assert release.status == Release.Status.INTERIM and release.year_label == "2026 (interim)"


def test_the_command_needs_interim_while_the_survey_is_open(open_year, capsys):
    with pytest.raises(CommandError, match="still open"):
        call_command("publish_year", "2026")
    call_command("publish_year", "2026", "--interim")
    assert "as release 1 (interim)" in capsys.readouterr().out


def test_the_publish_form_needs_the_interim_choice(open_year, admin_client):
    url = reverse("metrics:staff-publish-preview", args=[2026])
    preview = admin_client.get(url)
    assert "The 2026 survey is still open" in preview.text
    figures = preview.context["form"].initial["figures"]
    refused = admin_client.post(url, {"figures": figures, "note": ""})
    assert "Publish them as interim figures" in refused.text and not Release.objects.exists()
    admin_client.post(url, {"figures": figures, "note": "", "interim": "on"})
    assert Release.objects.get().status == Release.Status.INTERIM


def test_once_the_survey_closes_the_same_figures_can_be_republished_as_final(open_year, administrator):
    release_publish(year=2026, published_by=administrator, interim=True)
    open_year.closes_on = open_year.opens_on
    open_year.save()
    final = release_publish(year=2026, published_by=administrator, note="The survey has closed.")
    assert (final.number, final.status) == (2, Release.Status.FINAL)


@pytest.fixture
def interim_2026():
    release_with_values(2025, {"members": 57, "mileposts.advanced": 300}, denominator=57)
    release_with_values(2026, {"members": 12, "mileposts.advanced": 30}, denominator=12)
    release = release_with_values(2026, {"members": 13, "mileposts.advanced": 34}, denominator=13, number=2)
    release.status = Release.Status.INTERIM
    release.note = "Staff only: Driftwood resubmitted."  # the staff note is never shown
    release.save()
    Correction.objects.create(
        release=release, reason=release.note, public_note="Interim: 13 of 57 members approved so far."
    )
    return release


def test_interim_figures_are_labelled_on_pages_and_get_no_year_on_year_headline(client, interim_2026):
    overview = client.get(reverse("metrics:overview")).text
    assert 'data-testid="interim-badge"' in overview and "<strong>interim</strong> figures" in overview
    assert "down 89% on 2025" not in overview and "% on 2025" not in overview
    assert "Interim: 13 of 57 members approved so far." in overview
    area = client.get(reverse("metrics:prevention")).text
    assert "Interim: 13 of 57 members approved so far." in area and "interim-badge" in area
    trends = client.get(reverse("metrics:trends")).text
    assert "2026 (interim)" in trends  # table columns and chart axis
    assert "2026 (interim)" in client.get(reverse("metrics:methodology")).text
    for page in (overview, area, trends):
        assert "Driftwood" not in page


def test_interim_figures_are_labelled_in_the_api_and_every_csv(client, interim_2026):
    document = client.get(reverse("metrics:api-indicators")).json()
    assert document["release_status"] == "interim"
    assert document["public_note"] == "Interim: 13 of 57 members approved so far."
    assert "Driftwood" not in json.dumps(document)
    years = client.get(reverse("metrics:api-years")).json()["years"]
    assert [(y["year"], y["release_status"]) for y in years] == [(2026, "interim"), (2025, "final")]
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("metrics:api-indicators-csv")).text)))
    assert {row["release_status"] for row in rows} == {"interim"}
    mileposts = list(csv.DictReader(io.StringIO(client.get(reverse("metrics:mileposts-csv")).text)))
    assert [(r["year"], r["release_status"]) for r in mileposts] == [("2025", "final"), ("2026", "interim")]
    trend = list(csv.DictReader(io.StringIO(client.get(reverse("metrics:trend-csv", args=["members"])).text)))
    assert {(r["year"], r["release_status"]) for r in trend} >= {("2026", "interim")}


def test_a_final_year_compared_with_an_earlier_final_year_keeps_its_headline(client):
    release_with_values(2025, {"members": 57, "mileposts.advanced": 300}, denominator=57)
    release_with_values(2026, {"members": 57, "mileposts.advanced": 600}, denominator=57)
    assert "double 2025" in client.get(reverse("metrics:overview")).text


def test_publishing_warns_when_respondents_are_fewer_than_last_year(open_year, admin_client):
    release_with_values(2025, {"members": 57}, denominator=57)
    warnings = release_warnings(year=2026, respondents=6)
    assert any("fewer than the 57 of 2025" in w for w in warnings)
    page = admin_client.get(reverse("metrics:staff-publish-preview", args=[2026])).text
    assert "6 respondents, fewer than the 57 of 2025" in page
