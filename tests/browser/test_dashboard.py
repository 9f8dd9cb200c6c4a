import csv
import io

import pytest

from tests.factories import reference_releases_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = {
    "overview": "/",
    "prevention": "/prevention/",
    "detection": "/detection/",
    "response": "/response/",
    "trends": "/trends/",
    "methodology": "/methodology/",
    "open-data": "/open-data/",
}


def _watch_console(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: message.type in ("error", "warning") and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_overview_draws_its_chart_without_breaking_the_content_security_policy(page):
    reference_releases_create()
    problems = _watch_console(page)

    page.goto("/")

    page.locator("#figure-mileposts .main-svg").first.wait_for()
    assert page.locator("#figure-mileposts.chart-drawn").count() == 1
    assert page.locator("#figure-mileposts .main-svg").count() >= 1
    # plotly.js found our stylesheet and injected no <style> element.
    assert page.locator("head style").count() == 0
    assert not [p for p in problems if "Content Security Policy" in p or "CSP" in p], problems
    assert page.locator('[data-headline="mileposts"]').inner_text() == "317"


def test_year_selector_switches_years(page):
    reference_releases_create()
    page.goto("/")

    page.get_by_label("Survey year").select_option("2024")

    page.wait_for_url("**/?year=2024")
    assert page.get_by_role("heading", name="2024 at a glance").is_visible()
    assert page.locator('[data-headline="mileposts"]').inner_text() == "122"
    page.locator("#figure-mileposts .main-svg").first.wait_for()


def test_a_charts_table_and_csv_match_the_api(page):
    reference_releases_create()
    page.goto("/detection/")
    page.locator("#figure-image_hashing .main-svg").first.wait_for()

    table = page.locator("#image_hashing table tbody tr")
    shown = {
        table.nth(i).locator("th").inner_text(): table.nth(i).locator("td").first.inner_text()
        for i in range(table.count())
    }
    href = page.locator("#image_hashing a.csv-link").get_attribute("href")
    csv_rows = list(csv.DictReader(io.StringIO(page.request.get(href).text())))
    api = page.request.get("/api/v1/indicators/?year=2025").json()
    from_api = {i["label"]: str(i["value"]) for i in api["indicators"] if i["group"] == "image_hashing"}

    assert shown == {row["label"]: row["shown_as"] for row in csv_rows} == from_api
    assert shown["Microsoft PhotoDNA"] == "37"
    # The chart draws the same bars (plotly writes each bar's text label into the SVG).
    bar_texts = page.locator("#figure-image_hashing .bartext").all_text_contents()
    assert "37 of 57 asked" in bar_texts


def test_every_public_page_draws_all_its_charts_on_desktop_and_phone(page, tmp_path):
    """Every chart is drawn (full-page screenshots go to a temporary folder; bench/screenshots.py makes the
    README's, in docs/screenshots/, from the demo seed)."""
    reference_releases_create()
    for name, url in PUBLIC_PAGES.items():
        page.goto(url)
        if page.locator("[data-figure]").count():
            page.locator(".chart-drawn").first.wait_for()
            page.wait_for_function(
                "document.querySelectorAll('[data-figure]').length === document.querySelectorAll('.chart-drawn').length"
            )
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/detection/")
    page.wait_for_function(
        "document.querySelectorAll('[data-figure]').length === document.querySelectorAll('.chart-drawn').length"
    )
    page.screenshot(path=str(tmp_path / "detection-phone.png"), full_page=True)
    assert (tmp_path / "overview.png").stat().st_size > 10_000
    assert page.locator(".chart-drawn").count() == 3
