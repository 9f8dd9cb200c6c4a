"""The OpenAPI document, as served, against the real responses of every open-data endpoint, errors included.

The document is read from /api/v1/openapi.json (never from the function that builds it) and loaded with
openapi-core, which checks it is a valid OpenAPI description; each response (status, content type, headers and
body) is then validated against it. A response the document does not describe fails.
"""

import pytest
from django.urls import URLPattern, get_resolver
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from tests.factories import reference_releases_create, release_with_values

pytestmark = pytest.mark.django_db

API_PATHS = {"/api/v1/indicators/", "/api/v1/indicators.csv", "/api/v1/years/"}


@pytest.fixture
def openapi(client) -> OpenAPI:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    # CSV is text: openapi-core knows no text/csv reader of its own and would check the raw bytes.
    config = Config(extra_media_type_deserializers={"text/csv": lambda body, **_: body.decode("utf-8")})
    return OpenAPI.from_dict(response.json(), config=config)  # refuses a document that is not valid OpenAPI


def check(openapi: OpenAPI, response, *, valid_request: bool = True):
    """Validate a real response (and, for a well-formed request, the request) against the served document."""
    request = DjangoOpenAPIRequest(response.wsgi_request)
    if valid_request:
        openapi.validate_request(request)
    openapi.validate_response(request, DjangoOpenAPIResponse(response))
    return response


def test_the_document_describes_exactly_the_api_urls_of_the_project(client, openapi):
    document = client.get("/api/v1/openapi.json").json()
    served = {
        "/" + str(pattern.pattern)
        for pattern in get_resolver().url_patterns[-1].url_patterns
        if isinstance(pattern, URLPattern) and str(pattern.pattern).startswith("api/")
    }

    assert set(document["paths"]) == API_PATHS
    assert served == API_PATHS | {"/api/v1/openapi.json"}
    assert document["openapi"] == "3.1.0"


@pytest.mark.parametrize(
    "query", ["", "?year=2025", "?year=2024", "?year=2022"], ids=["latest", "2025", "2024", "imported-2022"]
)
def test_published_figures_match_the_document(client, openapi, query):
    reference_releases_create()

    response = check(openapi, client.get("/api/v1/indicators/" + query))

    assert response.status_code == 200
    assert response.json()["indicators"]


def test_a_withheld_figure_matches_the_document(client, openapi):
    release_with_values(2025, {"members": 57, "classifiers.sextortion": "suppressed"}, denominator=57)

    response = check(openapi, client.get("/api/v1/indicators/"))

    withheld = response.json()["indicators"][1]
    assert (withheld["value"], withheld["suppressed"]) == (None, True)


@pytest.mark.parametrize("path", ["/api/v1/indicators/", "/api/v1/indicators.csv"])
@pytest.mark.parametrize(
    "query,status,valid_request",
    [
        ("?year=20x5", 400, False),
        ("?year=99999", 400, True),  # within the schema's type, outside its range: still the API's own 400
        ("?year=2031", 404, True),
        ("", 200, True),
    ],
    ids=["malformed", "five-digits", "unpublished", "latest"],
)
def test_every_answer_of_the_figures_endpoints_matches_the_document(
    client, openapi, path, query, status, valid_request
):
    reference_releases_create()

    response = check(openapi, client.get(path + query), valid_request=valid_request and status != 400)

    assert response.status_code == status
    if status != 200:
        assert response.json() == {"error": response.json()["error"], "status": status}
        assert response.json()["error"]


@pytest.mark.parametrize("path", ["/api/v1/indicators/", "/api/v1/indicators.csv"])
def test_nothing_published_at_all_is_a_documented_404(client, openapi, path):
    response = check(openapi, client.get(path))

    assert response.status_code == 404


@pytest.mark.parametrize("path", sorted(API_PATHS))
def test_a_conditional_request_gets_a_documented_304(client, openapi, path):
    reference_releases_create()
    etag = client.get(path)["ETag"]

    response = check(openapi, client.get(path, headers={"if-none-match": etag}))

    assert response.status_code == 304


@pytest.mark.parametrize("published", [True, False], ids=["published", "nothing-published"])
def test_the_years_match_the_document(client, openapi, published):
    if published:
        reference_releases_create()

    response = check(openapi, client.get("/api/v1/years/"))

    assert response.status_code == 200
    assert bool(response.json()["years"]) is published
