"""axe-core on every public page (and the member's benchmark): no serious or critical violation."""

import pytest

from surveys.models import Membership
from tests.factories import MembershipFactory
from tests.metrics.factories import add_submission, build_cycle, reference_releases_create

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/?year=2024",
    "/prevention/",
    "/detection/",
    "/response/",
    "/trends/",
    "/methodology/",
    "/open-data/",
]


def _axe_violations(page) -> list[str]:
    # Loaded from our own static files by URL, so the page's strict CSP stays on while axe runs.
    page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _wait_for_charts(page):
    if page.locator("[data-figure]").count():
        page.wait_for_function(
            "document.querySelectorAll('[data-figure]').length === document.querySelectorAll('.chart-drawn').length"
        )


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_has_no_serious_accessibility_violation(page, url):
    reference_releases_create()
    page.goto(url)
    _wait_for_charts(page)

    assert _axe_violations(page) == []


def test_member_benchmark_has_no_serious_accessibility_violation(page):
    reference_releases_create()
    membership = MembershipFactory(role=Membership.Role.LEAD, user__email="lead@example.org")
    add_submission(
        build_cycle(2025),
        organization=membership.organization,
        answers={"safety_by_design": ["formal_reviews"], "image_hashing": ["photodna"]},
        mileposts=["prevention"],
    )
    log_in(page, "lead@example.org")
    page.wait_for_url(f"**/orgs/{membership.organization.slug}/")

    page.goto(f"/benchmark/{membership.organization.slug}/")

    assert page.get_by_text("You reported “Microsoft PhotoDNA” — as did 37 of 57 members.").is_visible()
    assert _axe_violations(page) == []


def test_keyboard_reaches_the_year_selector_and_csv_links(page):
    reference_releases_create()
    page.goto("/detection/")

    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.get_by_label("Survey year").focus()
    assert page.evaluate("document.activeElement.id") == "year-select"
    page.locator("a.csv-link").first.focus()
    assert "CSV" in page.evaluate("document.activeElement.textContent")
