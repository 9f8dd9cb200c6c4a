"""Every public chart stays legible from a phone to a desktop: at 320, 390, 1280 and 1440 px wide, a screenshot of
each chart is taken and no text of a chart runs outside it or over another of its texts."""

import os
from pathlib import Path

import pytest

from tests.factories import reference_releases_create, release_of_every_indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/prevention/", "/detection/", "/response/", "/trends/"]
WIDTHS = [320, 390, 1280, 1440]

# Every visible text of a chart: its rectangle, and which other text it runs into.
TEXT_PROBLEMS = """
(chart) => {
  const box = chart.getBoundingClientRect();
  const texts = [...chart.querySelectorAll("svg text")]
    .filter((t) => t.textContent.trim() && getComputedStyle(t).display !== "none")
    .map((t) => ({ text: t.textContent.trim(), r: t.getBoundingClientRect() }))
    .filter((t) => t.r.width > 0 && t.r.height > 0);
  const problems = [];
  for (const t of texts) {
    if (t.r.left < box.left - 1 || t.r.right > box.right + 1 || t.r.top < box.top - 1 || t.r.bottom > box.bottom + 1) {
      problems.push(`“${t.text}” runs outside the chart`);
    }
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i].r, b = texts[j].r;
      const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2 &&
        Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
      if (overlap) problems.push(`“${texts[i].text}” overlaps “${texts[j].text}”`);
    }
  }
  return problems;
}
"""


@pytest.fixture
def screenshots(tmp_path_factory) -> Path:
    folder = os.environ.get("CHART_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("chart-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_chart_fits_its_box_at_phone_and_desktop_widths(
    browser, live_server, screenshots, width
):
    reference_releases_create()
    # 2025 republished with every indicator of the questionnaire, worded as it is, counts from 0 to 57.
    release_of_every_indicator(2025, number=2, vary=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    problems, charts = {}, 0
    for url in PAGES:
        page.goto(url)
        page.wait_for_function(
            "document.querySelectorAll('[data-figure]').length === document.querySelectorAll('.chart-drawn').length"
        )
        for chart in page.locator("[data-figure]").all():
            chart.scroll_into_view_if_needed()
            name = chart.get_attribute("id")
            chart.screenshot(path=screenshots / f"{url.strip('/') or 'overview'}-{name}-{width}.png")
            charts += 1
            found = chart.evaluate(TEXT_PROBLEMS)
            if found:
                problems[f"{url} {name}"] = found
    context.close()

    assert charts >= 18
    assert problems == {}
