"""axe-core on every public page (and the member's benchmark): no serious or critical violation."""

import pytest

from surveys.models import Membership
from tests.factories import MembershipFactory, add_submission, build_cycle, reference_releases_create

from .conftest import axe_violations, log_in, log_in_staff

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
    return axe_violations(page, serious_only=True)


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


MEMBER_PAGES = [
    "/orgs/",
    "/orgs/{org}/",
    "/orgs/{org}/survey/2026/detection/",
    "/orgs/{org}/survey/2026/mileposts/",
    "/orgs/{org}/survey/2026/review/",
    "/orgs/{org}/submissions/{submission}/comments/",
    "/profile/",
]


def test_every_member_page_has_no_accessibility_violation_at_all(page):
    from surveys.models import Question
    from surveys.services import workflow
    from tests.factories import (
        OrganizationFactory,
        SubmissionFactory,
        UserFactory,
        answer_create,
        review_questionnaire,
    )

    cycle = review_questionnaire(2026)
    organization = OrganizationFactory(name="Harbour Messaging")
    lead = MembershipFactory(
        organization=organization, role=Membership.Role.LEAD, user__email="lead@example.org"
    ).user
    MembershipFactory(organization=OrganizationFactory(name="Second Co"), user=lead)
    submission = SubmissionFactory(organization=organization, cycle=cycle)
    answer_create(submission, "image_hashing", ["photodna"], provenance="carried")
    answer_create(submission, "supplemental_reports", True)
    answer_create(submission, "authority_reporting", "api_only")
    workflow.submission_submit(submission=submission, actor=lead)
    reviewer = UserFactory(staff_role="reviewer")
    question = Question.objects.get(cycle=cycle, code="image_hashing")
    workflow.comment_add(submission=submission, author=reviewer, body="Which tools?", question=question)
    workflow.submission_return(submission=submission, reviewer=reviewer, note="One answer to check.")
    log_in(page, "lead@example.org")
    page.wait_for_url("**/orgs/")

    found = {}
    for url in MEMBER_PAGES:
        page.goto(url.format(org=organization.slug, submission=submission.pk))
        found[url] = axe_violations(page)
    assert found == {url: [] for url in MEMBER_PAGES}


def test_arrow_keys_browse_the_year_selector_without_reloading_and_enter_shows_the_year(page):
    reference_releases_create()
    page.goto("/detection/")
    page.wait_for_function("document.querySelectorAll('.chart-drawn').length > 0")
    select = page.get_by_label("Survey year")
    select.focus()

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)  # a reload, were it to happen, would have started by now

    assert page.url.endswith("/detection/")
    assert select.input_value() == "2023"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/detection/?year=2023")


def test_the_staff_pages_of_issue_15_have_no_accessibility_violation_at_all(page):
    """The single-submission review page (its legend) and the reminders page."""

    from surveys.services import workflow
    from tests.factories import (
        OrganizationFactory,
        SubmissionFactory,
        UserFactory,
        answer_create,
        review_questionnaire,
    )

    cycle = review_questionnaire(2026)
    organization = OrganizationFactory(name="Harbour Messaging")
    lead = MembershipFactory(organization=organization, role=Membership.Role.LEAD).user
    submission = SubmissionFactory(organization=organization, cycle=cycle)
    answer_create(submission, "image_hashing", ["photodna"], provenance="carried")
    answer_create(submission, "supplemental_reports", True)
    answer_create(submission, "authority_reporting", "api_only")
    workflow.submission_submit(submission=submission, actor=lead)
    administrator = UserFactory(staff_role="administrator", email="ada@coalition.example")
    log_in_staff(page, administrator, f"/review/{submission.pk}/")

    found = {"review": axe_violations(page)}
    page.goto("/staff/reminders/")
    found["reminders"] = axe_violations(page)
    assert found == {"review": [], "reminders": []}
