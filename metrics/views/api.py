"""Open data: published figures as JSON and CSV, the published years, and the OpenAPI description."""

import csv
import hashlib
import io
import json

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control

from .. import selectors
from ..cache import BROWSER_MAX_AGE, public_cached
from ..disclosure import WITHHELD
from ..openapi import INDICATOR_FIELDS, openapi_document

CSV_COLUMNS = ["year", "release", *INDICATOR_FIELDS, "release_status"]


class YearError(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message


def _number(value):
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def _year_document(year: int | None) -> dict:
    """The JSON document of a published year (the latest when None); raises YearError otherwise."""
    data = selectors.published_year(year=year)
    if data is None:
        raise YearError(404, _unpublished_message(year))
    release = data.release
    return {
        "year": release.year,
        "release": release.number,
        "release_status": release.status,
        "public_note": release.public_note,
        "published_at": release.published_at.isoformat(),
        "respondents": release.respondents,
        "min_published_count": release.min_published_count,
        "indicators": [
            {
                "code": value.code,
                "area": value.area,
                "group": value.group,
                "label": value.label,
                "value": None if value.suppressed else _number(value.value),
                "denominator": value.denominator,
                "suppressed": value.suppressed,
                "shown_as": WITHHELD
                if value.suppressed
                else ("" if value.value is None else str(_number(value.value))),
            }
            for value in data.values.values()
        ],
    }


def _unpublished_message(year: int | None) -> str:
    years = public_cached("years", selectors.published_years)
    if year is None or not years:
        return "No figures have been published yet."
    listed = ", ".join(str(y) for y in sorted(years))
    return f"No figures have been published for {year}. Published years: {listed}."


def _requested_year(request) -> int | None:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return None
    # ASCII digits only: str.isdigit() also accepts "²⁰²⁵" (int() refuses it) and "٢٠٢٥".
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise YearError(
            400, "The year must be a four-digit year such as 2025, or left out for the latest year."
        )
    year = int(raw)
    if year not in public_cached("years", selectors.published_years):
        raise YearError(404, _unpublished_message(year))
    return year


def _open(response: HttpResponse, request, body: bytes) -> HttpResponse:
    """Public cache headers, an ETag for conditional requests, and CORS for anyone's scripts."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    return get_conditional_response(request, etag=etag, response=response) or response


def _error(request, error: YearError) -> JsonResponse:
    response = JsonResponse({"error": error.message, "status": error.status}, status=error.status)
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=60)
    return response


def indicators_json(request):
    """GET /api/v1/indicators/?year=YYYY"""
    try:
        year = _requested_year(request)
        body = public_cached(f"api:json:{year}", lambda: _json_bytes(_year_document(year)))
    except YearError as error:
        return _error(request, error)
    return _open(HttpResponse(body, content_type="application/json"), request, body)


def _json_bytes(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def indicators_csv(request):
    """GET /api/v1/indicators.csv?year=YYYY: the same figures as the JSON, one row per indicator."""
    try:
        year = _requested_year(request)
        body = public_cached(f"api:csv:{year}", lambda: _csv_bytes(_year_document(year)))
    except YearError as error:
        return _error(request, error)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="milepost-indicators.csv"'
    return _open(response, request, body)


def _csv_bytes(document: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in document["indicators"]:
        value = item["value"]
        writer.writerow(
            [
                document["year"],
                document["release"],
                item["code"],
                item["area"],
                item["group"],
                item["label"],
                "" if value is None else value,
                item["denominator"] if item["denominator"] is not None else "",
                "true" if item["suppressed"] else "false",
                WITHHELD if item["suppressed"] else ("" if value is None else value),
                document["release_status"],
            ]
        )
    return out.getvalue().encode()


def years(request):
    """GET /api/v1/years/: every published year with its current release."""

    def build():
        base = reverse("metrics:api-indicators")
        return _json_bytes(
            {
                "years": [
                    {
                        "year": release.year,
                        "release": release.number,
                        "release_status": release.status,
                        "published_at": release.published_at.isoformat(),
                        "respondents": release.respondents,
                        "url": f"{base}?year={release.year}",
                    }
                    for release in selectors.published_releases()
                ]
            }
        )

    body = public_cached("api:years", build)
    return _open(HttpResponse(body, content_type="application/json"), request, body)


def openapi(request):
    """GET /api/v1/openapi.json"""
    body = _json_bytes(openapi_document())
    return _open(HttpResponse(body, content_type="application/json"), request, body)
