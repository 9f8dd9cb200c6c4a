import csv
import io

import pytest

from metrics.cache import public_cache_clear
from tests.factories import reference_releases_create, release_with_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference():
    return reference_releases_create()


def test_indicators_for_the_latest_year_by_default(client, reference):
    response = client.get("/api/v1/indicators/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert set(document) == {
        "year",
        "release",
        "release_status",
        "public_note",
        "published_at",
        "respondents",
        "min_published_count",
        "indicators",
    }
    assert (document["year"], document["release"], document["respondents"]) == (2025, 1, 57)
    assert document["min_published_count"] == 5
    photodna = next(i for i in document["indicators"] if i["code"] == "image_hashing.photodna")
    assert photodna == {
        "code": "image_hashing.photodna",
        "area": "detection",
        "group": "image_hashing",
        "label": "Microsoft PhotoDNA",
        "value": 37,
        "denominator": 57,
        "suppressed": False,
        "shown_as": "37",
    }


def test_imported_year_has_no_denominator(client, reference):
    document = client.get("/api/v1/indicators/?year=2022").json()

    assert {i["code"]: (i["value"], i["denominator"]) for i in document["indicators"]} == {
        "classifiers.image": (13, None),
        "classifiers.video": (4, None),
    }


def test_suppressed_indicator_has_null_value(client):
    release_with_values(2025, {"members": 57, "classifiers.sextortion": "suppressed"}, denominator=57)

    document = client.get("/api/v1/indicators/").json()

    assert document["indicators"][1]["value"] is None
    assert document["indicators"][1]["suppressed"] is True
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/indicators.csv").content.decode())))
    assert (rows[1]["value"], rows[1]["suppressed"], rows[1]["shown_as"]) == ("", "true", "withheld")


@pytest.mark.parametrize("year", ["2026", "1990"])
def test_unpublished_or_unknown_year_is_a_json_404(client, reference, year):
    for url in (f"/api/v1/indicators/?year={year}", f"/api/v1/indicators.csv?year={year}"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Published years: 2022, 2023, 2024, 2025" in response.json()["error"]


@pytest.mark.parametrize("year", ["abc", "20255", "-2025", "2025.0", "²⁰²⁵", "٢٠٢٥"])
def test_malformed_year_is_a_json_400(client, reference, year):
    response = client.get(f"/api/v1/indicators/?year={year}")

    assert response.status_code == 400
    assert "four-digit year" in response.json()["error"]


def test_no_release_at_all_is_a_404(client):
    response = client.get("/api/v1/indicators/")

    assert response.status_code == 404
    assert response.json()["error"] == "No figures have been published yet."


def test_csv_has_the_same_figures_as_the_json(client, reference):
    document = client.get("/api/v1/indicators/?year=2025").json()
    response = client.get("/api/v1/indicators.csv?year=2025")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["code"], r["value"], r["denominator"]) for r in rows] == [
        (i["code"], str(i["value"]), "" if i["denominator"] is None else str(i["denominator"]))
        for i in document["indicators"]
    ]


def test_years_lists_published_years_newest_first(client, reference):
    release_with_values(2025, {"members": 57}, number=2)

    years = client.get("/api/v1/years/").json()["years"]

    assert [(y["year"], y["release"]) for y in years] == [(2025, 2), (2024, 1), (2023, 1), (2022, 1)]
    assert years[0]["url"] == "/api/v1/indicators/?year=2025"


def test_responses_are_cacheable_open_and_conditional(client, reference):
    response = client.get("/api/v1/indicators/")

    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    again = client.get("/api/v1/indicators/", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_api_is_served_from_cache_until_publication_clears_it(client, reference, django_assert_num_queries):
    from metrics.models import ReleaseValue

    client.get("/api/v1/indicators/")
    ReleaseValue.objects.filter(code="image_hashing.photodna", release__year=2025).update(value=40)
    with django_assert_num_queries(0):
        assert client.get("/api/v1/indicators/").json()["indicators"][14]["value"] == 37

    public_cache_clear()

    photodna = next(
        i for i in client.get("/api/v1/indicators/").json()["indicators"] if i["code"].endswith("photodna")
    )
    assert photodna["value"] == 40


# The OpenAPI document against real responses: tests/test_openapi_contract.py (read as served, validated
# with openapi-core, never compared with the function that builds it).
