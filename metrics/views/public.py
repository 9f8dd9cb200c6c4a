"""The public dashboard: no login, published releases only, cached until the next publication."""

import csv

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from .. import dashboard, report, selectors
from ..cache import BROWSER_MAX_AGE, public_cached


def healthz(request):
    """A trivial view for load balancers (and the benchmark's baseline)."""
    return HttpResponse("ok", content_type="text/plain")


def _published_years() -> list[int]:
    return public_cached("years", selectors.published_years)


def _requested_year(request) -> int | None:
    """The `?year=` asked for: None for the latest; 404 for a malformed, unknown or unpublished year."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return None
    # ASCII digits only: str.isdigit() also accepts "²⁰²⁵", which int() refuses (a 500, not a 404).
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4) or int(raw) not in _published_years():
        raise Http404("No figures have been published for that year. Choose a year from the list.")
    return int(raw)


def _public_page(request, name: str, template: str, build) -> HttpResponse:
    """Render a public page from its cached context; anonymous visitors get the cached HTML itself.

    Signed-in people see their own navigation, so only the (user-independent) context is shared with them.
    """
    anonymous = _plainly_anonymous(request) or (
        not request.user.is_authenticated and not len(messages.get_messages(request))
    )
    if anonymous:
        html = public_cached(
            f"html:{name}",
            lambda: render_to_string(template, public_cached(f"context:{name}", build), request=request),
        )
        response = HttpResponse(html)
        patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    else:
        response = render(request, template, public_cached(f"context:{name}", build))
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _plainly_anonymous(request) -> bool:
    """No session and no message cookie: anonymous, with nothing to show but the shared page.

    Decided from the cookies alone, so the cached page is served without loading a session or a user.
    """
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _selector(years: list[int], year: int) -> dict:
    return {"years": years, "year": year}


def overview(request):
    """The home page: the headline of the latest (or chosen) year and mileposts by area across years."""
    year = _requested_year(request)

    def build():
        history = selectors.published_history()
        if not history:
            return {"published": False}
        data = next(h for h in history if year is None or h.year == year)
        return {
            "published": True,
            "release": data.release,
            "headline": dashboard.headline(data, history),
            "selector": _selector([h.year for h in history], data.year),
            "chart": dashboard.mileposts_chart(history, csv_url=reverse("metrics:mileposts-csv")),
            "pages": report.PAGES,
            "has_charts": True,
        }

    return _public_page(request, f"overview:{year}", "metrics/overview.html", build)


def area_page(request, area: str):
    """Prevention, Detection or Response: each group's explanation, chart, sentence, table and CSV."""
    page = report.PAGES_BY_CODE.get(area)
    if page is None:
        raise Http404("No such page.")
    year = _requested_year(request)

    def build():
        data = selectors.published_year(year=year)
        if data is None:
            return {"published": False, "page": page}
        sections = [
            dashboard.group_section(
                data,
                group,
                csv_url=reverse("metrics:group-csv", kwargs={"year": data.year, "group": group.code}),
            )
            for group in page.groups
        ]
        return {
            "published": True,
            "page": page,
            "release": data.release,
            "sections": sections,
            "selector": _selector(_published_years(), data.year),
            "has_charts": any(section.chart for section in sections),
        }

    return _public_page(request, f"area:{area}:{year}", "metrics/area.html", build)


def trends(request):
    """Every figure published in more than one year, as lines with gaps where a year has no value."""

    def build():
        history = selectors.published_history()
        groups = dashboard.trend_groups(
            history, csv_url=lambda code: reverse("metrics:trend-csv", kwargs={"group": code})
        )
        return {"published": bool(history), "trends": groups, "has_charts": bool(groups)}

    return _public_page(request, "trends", "metrics/trends.html", build)


def methodology(request):
    """How the figures are made, the suppression rule and the corrections log."""

    def build():
        releases = selectors.published_releases()
        return {
            "threshold": settings.MIN_PUBLISHED_COUNT,
            "corrections": selectors.corrections_log(),
            "releases": releases,
        }

    return _public_page(request, "methodology", "metrics/methodology.html", build)


def open_data(request):
    """How to use the API, with examples against the latest published year."""

    def build():
        years = selectors.published_years()
        return {"years": years, "example_year": years[0] if years else 2025}

    return _public_page(request, "open-data", "metrics/open_data.html", build)


def _csv_response(filename: str, columns: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(columns)
    writer.writerows(rows)
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def group_csv(request, year: int, group: str):
    """Exactly one group chart's data for one published year."""
    if group not in report.GROUPS_BY_CODE or year not in _published_years():
        raise Http404("No published chart has that year and name.")

    def build():
        return dashboard.group_csv_rows(selectors.published_year(year=year), group)

    columns, rows = public_cached(f"csv:group:{year}:{group}", build)
    return _csv_response(f"milepost-{year}-{group}.csv", columns, rows)


def mileposts_csv(request):
    """The overview chart's data: mileposts advanced by area and in total, every published year."""
    columns, rows = public_cached(
        "csv:mileposts", lambda: dashboard.mileposts_csv_rows(selectors.published_history())
    )
    return _csv_response("milepost-mileposts-by-area.csv", columns, rows)


def trend_csv(request, group: str):
    """One trend chart's data: every year's published value of each code in the group."""

    def build():
        history = selectors.published_history()
        return {trend.code: dashboard.trend_csv_rows(trend) for trend in dashboard.trend_groups(history)}

    result = public_cached("csv:trends", build).get(group)
    if result is None:
        raise Http404("No published trend has that name.")
    columns, rows = result
    return _csv_response(f"milepost-trend-{group}.csv", columns, rows)
