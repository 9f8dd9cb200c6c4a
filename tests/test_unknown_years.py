"""Out-of-range or unknown years are a 404 on every URL that takes one, never a 500, and asking for a year
that has no survey leaves no trace in the database."""

import pytest

from metrics.models import YearState
from metrics.services import indicators_recompute

from .factories import SurveyCycleFactory

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["99999999999", "0", "1999", "12025", "２０２５"]


@pytest.mark.parametrize("year", OUT_OF_RANGE)
def test_recomputing_an_impossible_year_is_a_404(admin_client, year):
    response = admin_client.post(f"/staff/figures/{year}/recompute/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/staff/figures/{year}/publish/",
        "/data/{year}/classifiers.csv",
        "/staff/answers/{year}.csv",
        "/orgs/{org}/survey/{year}/review/",
    ],
)
def test_every_url_with_a_year_refuses_an_impossible_one(admin_client, org_a, path):
    for year in OUT_OF_RANGE:
        assert admin_client.get(path.format(year=year, org=org_a.slug)).status_code == 404, year


def test_recomputing_a_year_without_a_survey_or_figures_is_a_404_and_records_nothing(admin_client):
    response = admin_client.post("/staff/figures/2031/recompute/")
    assert response.status_code == 404
    assert not YearState.objects.filter(year=2031).exists()


def test_the_recompute_service_creates_no_year_state_for_a_year_without_a_cycle():
    report = indicators_recompute(year=2031)
    assert report.values == 0
    assert not YearState.objects.filter(year=2031).exists()


def test_a_year_with_a_cycle_is_recomputed_and_recorded(admin_client):
    SurveyCycleFactory(year=2030)
    response = admin_client.post("/staff/figures/2030/recompute/")
    assert response.status_code == 302
    assert YearState.objects.filter(year=2030, computed_at__isnull=False).exists()


@pytest.mark.parametrize("year", ["2031", "99999999999", "abc"])
def test_participation_for_a_year_without_a_survey_is_a_404(reviewer_client, year):
    assert reviewer_client.get(f"/staff/participation/?year={year}").status_code == 404


@pytest.mark.parametrize("year", ["99999999999", "1999", "abc"])
def test_public_pages_and_the_api_refuse_unknown_years(client, year):
    assert client.get(f"/?year={year}").status_code == 404
    assert client.get(f"/api/v1/indicators/?year={year}").status_code in {400, 404}
