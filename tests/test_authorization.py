"""The authorisation matrix: every URL of the project, for every kind of visitor, with the expected outcome.

Add a row for every new URL: `test_every_url_is_in_the_matrix` fails until you do.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from surveys.models import User

from .conftest import login_staff
from .factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "contributor_a", "lead_a", "member_b", "reviewer", "administrator"]
OK, LOGIN, FORBIDDEN, NOT_FOUND, GONE, REDIRECT = 200, "login", 403, 404, 410, "redirect"


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN):
    return {**everyone(outcome), "anonymous": anonymous}


def members_of_a(outcome=OK):
    """Organisation A's own pages: A's people only; anyone else gets 404 (ids cannot be probed)."""
    return {**signed_in(NOT_FOUND), "contributor_a": outcome, "lead_a": outcome}


def reviewers(outcome=OK):
    return {**signed_in(FORBIDDEN), "reviewer": outcome, "administrator": outcome}


def administrators(outcome=OK):
    return {**signed_in(FORBIDDEN), "administrator": outcome}


# (url name, kwargs from the world, {role: expected})
MATRIX = [
    ("metrics:overview", {}, everyone(OK)),
    ("login", {}, everyone(OK)),
    ("logout", {}, everyone(405)),  # logging out is a POST
    ("password_reset", {}, everyone(OK)),
    ("password_reset_done", {}, everyone(OK)),
    ("password_reset_confirm", {"uidb64": "MQ", "token": "bad-token"}, everyone(OK)),
    ("password_reset_complete", {}, everyone(OK)),
    ("password_change", {}, signed_in(OK)),
    ("password_change_done", {}, signed_in(OK)),
    ("profile", {}, signed_in(OK)),
    # Staff in the matrix already passed their second factor; members have no device yet.
    ("two-factor-setup", {}, {**signed_in(OK), "reviewer": REDIRECT, "administrator": REDIRECT}),
    ("two-factor-verify", {}, signed_in(REDIRECT)),
    ("invitation-accept", {"token": "unknown"}, everyone(GONE)),
    ("surveys:home", {}, signed_in(REDIRECT)),
    ("surveys:organization-list", {}, signed_in(OK)),
    ("surveys:organization-detail", {"org_slug": "{org_a}"}, members_of_a()),
    ("surveys:staff-overview", {}, administrators()),
    ("surveys:invitation-create", {}, administrators()),
    ("surveys:review-queue", {}, reviewers()),
    # The member's survey (issue 3): A's people only; B's people guessing A's pages get 404.
    (
        "surveys:survey-section",
        {"org_slug": "{org_a}", "year": "{year}", "section_code": "profile"},
        members_of_a(),
    ),
    ("surveys:survey-mileposts", {"org_slug": "{org_a}", "year": "{year}"}, members_of_a()),
    ("surveys:survey-review", {"org_slug": "{org_a}", "year": "{year}"}, members_of_a()),
    ("surveys:survey-csv", {"org_slug": "{org_a}", "year": "{year}"}, members_of_a()),
    ("surveys:survey-submit", {"org_slug": "{org_a}", "year": "{year}"}, members_of_a(405)),  # POST only
]

# URL names deliberately outside the matrix, with the reason.
NOT_IN_MATRIX = {"admin": "Django admin: OTPAdminSite, tested in test_accounts"}


@pytest.fixture
def world():
    org_a = OrganizationFactory(name="Alpha Social")
    org_b = OrganizationFactory(name="Bravo Games")
    return {
        "org_a": org_a.slug,
        "org_b": org_b.slug,
        **_survey_world(org_a),
        "users": {
            "contributor_a": MembershipFactory(organization=org_a, role="contributor").user,
            "lead_a": MembershipFactory(organization=org_a, role="lead").user,
            "member_b": MembershipFactory(organization=org_b, role="lead").user,
            "reviewer": UserFactory(staff_role=User.StaffRole.REVIEWER),
            "administrator": UserFactory(
                staff_role=User.StaffRole.ADMINISTRATOR, is_staff=True, is_superuser=True
            ),
        },
    }


def _survey_world(org_a) -> dict:
    """A's submission in the open 2026 cycle, which has a profile section (issue 3's URLs)."""
    from surveys.models import Submission

    from .factories import SectionFactory, SurveyCycleFactory

    cycle = SurveyCycleFactory(year=2026)
    SectionFactory(cycle=cycle, code="profile")
    Submission.objects.get_or_create(organization=org_a, cycle=cycle)
    return {"year": cycle.year}


def _outcome(response):
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("login")) else REDIRECT
    return response.status_code


@pytest.mark.parametrize("name,kwargs,expected", MATRIX, ids=[row[0] for row in MATRIX])
def test_authorization_matrix(client, world, name, kwargs, expected):
    url = reverse(name, kwargs={k: v.format(**world) for k, v in kwargs.items()})
    results = {}
    for role in ROLES:
        client.logout()
        user = world["users"].get(role)
        if user is not None:
            if user.is_coalition_staff:
                login_staff(client, user)
            else:
                client.force_login(user)
        results[role] = _outcome(client.get(url))
    assert results == {role: expected[role] for role in ROLES}


def _names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix():
    covered = {row[0] for row in MATRIX}
    missing = {
        name
        for name in _names(get_resolver())
        if name.split(":")[0] not in NOT_IN_MATRIX and name not in covered
    }
    assert not missing, f"Add these URLs to the authorisation matrix: {sorted(missing)}"
