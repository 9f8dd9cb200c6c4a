"""The authorisation matrix: every URL of the project, for every kind of visitor, with the expected outcome.

Add a row for every new URL: `test_every_url_is_in_the_matrix` fails until you do.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    ("two-factor-backup", {}, signed_in(REDIRECT)),
    # Backup codes are for staff, after their second factor; members are sent back to their profile.
    ("backup-codes", {}, {**signed_in(REDIRECT), "reviewer": OK, "administrator": OK}),
    ("invitation-accept", {"token": "unknown"}, everyone(GONE)),
    ("surveys:home", {}, signed_in(REDIRECT)),
    ("surveys:organization-list", {}, signed_in(OK)),
    ("surveys:organization-detail", {"org_slug": "{org_a}"}, members_of_a()),
    ("surveys:staff-overview", {}, administrators()),
    ("surveys:invitation-create", {}, administrators()),
    ("surveys:invitation-resend", {"invitation_id": "1"}, administrators(405)),  # POST only
    ("surveys:invitation-revoke", {"invitation_id": "1"}, administrators(405)),
    ("surveys:review-queue", {}, reviewers()),
    # Review, participation, audit log, exports and import (issue 4).
    ("surveys:review-submission", {"submission_id": "{submission_a}"}, reviewers()),
    ("surveys:review-comment", {"submission_id": "{submission_a}"}, reviewers(405)),  # POST only
    ("surveys:review-return", {"submission_id": "{submission_a}"}, reviewers(405)),
    ("surveys:review-approve", {"submission_id": "{submission_a}"}, reviewers(405)),
    ("surveys:review-reopen", {"submission_id": "{submission_a}"}, administrators(405)),
    ("surveys:proposal-decide", {"proposal_id": "{proposal_a}"}, reviewers(405)),
    ("surveys:participation", {}, reviewers()),
    ("surveys:reminders", {}, reviewers()),
    ("surveys:reminders-send", {}, administrators(405)),  # POST only; reviewers may look but not send
    ("surveys:answers-export", {"year": "{year}"}, reviewers()),
    ("surveys:audit-log", {}, administrators()),
    ("surveys:audit-export", {}, administrators(405)),  # POST only: queues a background export
    ("surveys:export-detail", {"job_id": "{export_a}"}, administrators()),
    # Still waiting for the worker: the download sends administrators back to the progress page.
    ("surveys:export-download", {"job_id": "{export_a}"}, administrators(REDIRECT)),
    ("surveys:organization-search", {}, reviewers()),
    ("surveys:import-upload", {}, administrators()),
    ("surveys:import-confirm", {}, administrators(405)),
    ("surveys:import-problems", {"token": "unknown"}, administrators(NOT_FOUND)),
    ("surveys:import-template", {"year": "{year}"}, administrators()),
    ("surveys:import-codebook", {"year": "{year}"}, administrators()),
    ("surveys:member-comments", {"org_slug": "{org_a}", "submission_id": "{submission_a}"}, members_of_a()),
    # B's people asking for A's submission under their own organisation: 404, never content.
    (
        "surveys:member-comments",
        {"org_slug": "{org_b}", "submission_id": "{submission_a}"},
        {**signed_in(NOT_FOUND), "member_b": NOT_FOUND},
    ),
    ("surveys:member-comment-reply", {"org_slug": "{org_a}", "comment_id": "{comment_a}"}, members_of_a(405)),
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
    ("metrics:staff-years", {}, administrators()),
    ("metrics:staff-publish-preview", {"year": "{figures_year}"}, administrators()),
    ("metrics:staff-recompute", {"year": "{figures_year}"}, administrators(405)),  # POST only
    # The public dashboard and open data (issue 6): everyone, no login; nothing unpublished (figures_year
    # has computed values but no release) is reachable by anyone.
    ("metrics:prevention", {}, everyone(OK)),
    ("metrics:detection", {}, everyone(OK)),
    ("metrics:response", {}, everyone(OK)),
    ("metrics:trends", {}, everyone(OK)),
    ("metrics:methodology", {}, everyone(OK)),
    ("metrics:open-data", {}, everyone(OK)),
    ("metrics:mileposts-csv", {}, everyone(OK)),
    ("metrics:trend-csv", {"group": "classifiers"}, everyone(OK)),
    ("metrics:group-csv", {"year": "{published_year}", "group": "classifiers"}, everyone(OK)),
    ("metrics:group-csv", {"year": "{figures_year}", "group": "members"}, everyone(NOT_FOUND)),
    ("metrics:api-indicators", {}, everyone(OK)),
    ("metrics:api-indicators-csv", {}, everyone(OK)),
    ("metrics:api-years", {}, everyone(OK)),
    ("metrics:api-openapi", {}, everyone(OK)),
    ("metrics:healthz", {}, everyone(OK)),
    ("readyz", {}, everyone(OK)),
    ("metrics:member-benchmark", {"org_slug": "{org_a}"}, members_of_a()),
]

# URL names deliberately outside the matrix, with the reason.
NOT_IN_MATRIX = {"admin": "Django admin: OTPAdminSite, tested in test_accounts"}


@pytest.fixture
def world():
    org_a = OrganizationFactory(name="Alpha Social")
    org_b = OrganizationFactory(name="Bravo Games")
    review = _review_world(org_a)
    return {
        "org_a": org_a.slug,
        "org_b": org_b.slug,
        **review,
        **_survey_world(org_a),
        **_figures_world(),
        **_dashboard_world(),
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


def _review_world(org_a) -> dict:
    """A's returned submission with a reviewer comment and a milepost proposal (issue 4's URLs)."""
    from surveys.models import ExportJob, MilepostProposal, ReviewComment

    from .factories import SubmissionFactory, SurveyCycleFactory

    submission = SubmissionFactory(organization=org_a, cycle=SurveyCycleFactory(year=2026), status="returned")
    author = UserFactory(staff_role=User.StaffRole.REVIEWER)
    comment = ReviewComment.objects.create(submission=submission, author=author, body="Please check")
    proposal = MilepostProposal.objects.create(
        submission=submission, area="detection", title="T", description="D"
    )
    export = ExportJob.objects.create(kind="audit", requested_by=author, expires_at=submission.created_at)
    return {
        "submission_a": submission.pk,
        "comment_a": comment.pk,
        "proposal_a": proposal.pk,
        "year": 2026,
        "export_a": str(export.pk),
    }


def _survey_world(org_a) -> dict:
    """A's submission in the open 2026 cycle, which has a profile section (issue 3's URLs)."""
    from surveys.models import Submission

    from .factories import SectionFactory, SurveyCycleFactory

    cycle = SurveyCycleFactory(year=2026)
    SectionFactory(cycle=cycle, code="profile")
    Submission.objects.get_or_create(organization=org_a, cycle=cycle)
    return {"year": cycle.year}


def _figures_world() -> dict:
    """An imported year of figures, so the publish preview has something to show (issue 5's URLs)."""
    from metrics.models import IndicatorDefinition, IndicatorValue

    definition, _ = IndicatorDefinition.objects.get_or_create(
        code="members", defaults={"kind": "respondents", "group": "members", "label": "Members"}
    )
    IndicatorValue.objects.create(year=2022, indicator=definition, value=36, is_imported=True)
    return {"figures_year": 2022}


def _dashboard_world() -> dict:
    """Two published years, so the public pages and CSVs have a trend to show (issue 6's URLs)."""
    from tests.factories import release_with_values

    release_with_values(2024, {"members": 45, "classifiers.image": 30}, denominator=45)
    release_with_values(2025, {"members": 57, "classifiers.image": 41}, denominator=57)
    return {"published_year": 2025}


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
        response = client.get(url)
        results[role] = _outcome(response)
        if user is not None:
            # Nothing a signed-in person is shown may be kept by a proxy or the browser's history.
            cache_control = response.get("Cache-Control", "")
            assert "private" in cache_control and "no-store" in cache_control, (role, cache_control)
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


# --- Nothing of another organisation leaks, whatever the method (issue 13) ------------------------------------
# Kept apart from the status matrix above: every URL of MATRIX is also POSTed, by every visitor who must not see
# organisation A's data: the public, a member of organisation B, and staff who passed their password but not
# their second factor. None of their responses (nor the page a redirect leads to) may contain a marker planted
# in A's answers, comments, mileposts, proposals and audit trail, and none of their requests may change a row.

OUTSIDERS = ["anonymous", "member_b", "reviewer_no_2fa", "administrator_no_2fa"]
SECOND_FACTOR = "second factor"  # redirected to set up or enter the second factor
DENIED = {LOGIN, FORBIDDEN, NOT_FOUND, GONE, SECOND_FACTOR}
MARKERS = [
    "SECRET-A-ANSWER",
    "SECRET-A-COMMENT",
    "SECRET-A-MILEPOST",
    "SECRET-A-PROPOSAL",
    "SECRET-A-AUDIT",
]

# Staff without their second factor (they have a confirmed device but have not entered a code this session):
# staff pages send them to enter it; everywhere else they are like any signed-in person who is not a member
# of A. Pages where that is not so:
WITHOUT_SECOND_FACTOR = {
    "two-factor-setup": SECOND_FACTOR,  # they already have a device: on to entering its code
    "two-factor-verify": OK,
    "two-factor-backup": OK,  # a backup code instead of the authenticator
    "backup-codes": SECOND_FACTOR,  # their codes only once they have passed it
}

# What a POST carries, so that a missing guard would really change something.
POST_DATA = {
    "surveys:review-comment": {"body": "Outsider comment"},
    "surveys:review-return": {"note": "Outsider return", "expected_status": "returned"},
    "surveys:review-approve": {"note": "", "expected_status": "returned"},
    "surveys:review-reopen": {"note": "Outsider reopen", "expected_status": "returned"},
    "surveys:proposal-decide": {"decision": "reject", "note": "Outsider says no"},
    "surveys:member-comment-reply": {"body": "Outsider reply"},
    "surveys:survey-section": {"secret_note": "Outsider answer"},
    "surveys:survey-mileposts": {
        "action": "propose",
        "area": "response",
        "title": "Outsider",
        "description": "x",
    },
    "surveys:survey-submit": {},
    "surveys:invitation-create": {"email": "outsider@example.org", "role": "lead"},
    "metrics:staff-recompute": {},
    "profile": {"first_name": "Changed", "last_name": "Name"},
}


def _outsider_expected(name: str, expected: dict, role: str):
    if role in expected:
        # The matrix's plain "redirect" between the two second-factor pages (setup <-> verify).
        return (
            SECOND_FACTOR if name.startswith("two-factor") and expected[role] == REDIRECT else expected[role]
        )
    if name in WITHOUT_SECOND_FACTOR:
        return WITHOUT_SECOND_FACTOR[name]
    verified = expected[role.removesuffix("_no_2fa")]
    staff_only = expected["member_b"] == FORBIDDEN and verified != FORBIDDEN
    return SECOND_FACTOR if staff_only else expected["member_b"]


@pytest.fixture
def secrets_world(world):
    """`world`, plus markers in organisation A's answer, comment, milepost, proposal and audit trail, and
    staff who have not entered their second factor."""
    from surveys.models import (
        Answer,
        AuditEvent,
        MilepostProposal,
        Question,
        ReviewComment,
        Submission,
        SubmissionMilepost,
    )

    from .factories import MilepostFactory, QuestionFactory

    submission = Submission.objects.get(pk=world["submission_a"])
    section = submission.cycle.sections.first()
    question = QuestionFactory(
        section=section,
        cycle=submission.cycle,
        code="secret_note",
        type=Question.Type.SHORT_TEXT,
        required=False,
    )
    Answer.objects.create(submission=submission, question=question, value_text="SECRET-A-ANSWER")
    author = UserFactory(staff_role=User.StaffRole.REVIEWER)
    ReviewComment.objects.create(submission=submission, author=author, body="SECRET-A-COMMENT")
    SubmissionMilepost.objects.create(
        submission=submission, milepost=MilepostFactory(), description="SECRET-A-MILEPOST"
    )
    MilepostProposal.objects.create(
        submission=submission, area="response", title="SECRET-A-PROPOSAL", description="SECRET-A-PROPOSAL"
    )
    AuditEvent.about(
        submission,
        kind=AuditEvent.Kind.ANSWER_CHANGED,
        actor=None,
        subject="secret_note",
        new="SECRET-A-AUDIT",
    ).save()
    users = dict(world["users"])
    for role in ("reviewer", "administrator"):
        user = UserFactory(staff_role=role, is_staff=role == "administrator")
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        users[f"{role}_no_2fa"] = user
    return {**world, "users": users}


def _outsider_outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith((reverse("two-factor-verify"), reverse("two-factor-setup"))):
            return SECOND_FACTOR
        return LOGIN if location.startswith(reverse("login")) else REDIRECT
    return response.status_code


def _text(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def _rows_of_record() -> dict:
    """Every row that belongs to the surveys and metrics records (people's own accounts aside)."""
    from django.apps import apps

    skip = {"surveys_user"}
    return {
        model._meta.db_table: list(model._base_manager.order_by("pk").values_list())
        for label in ("surveys", "metrics")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.db_table not in skip
    }


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name,kwargs,expected", MATRIX, ids=[row[0] for row in MATRIX])
def test_outsiders_never_see_or_change_another_organisations_data(
    client, secrets_world, name, kwargs, expected, method
):
    url = reverse(name, kwargs={k: v.format(**secrets_world) for k, v in kwargs.items()})
    before = _rows_of_record()
    outcomes, wanted, leaks = {}, {}, {}
    for role in OUTSIDERS:
        _as(client, secrets_world["users"].get(role))
        response = client.get(url) if method == "get" else client.post(url, POST_DATA.get(name, {}))
        outcomes[role] = _outsider_outcome(response)
        expected_get = _outsider_expected(name, expected, role)
        # A POST is refused exactly as a GET is; where the GET is answered, the POST is the page's own business.
        wanted[role] = expected_get if (method == "get" or expected_get in DENIED) else outcomes[role]
        pages = [response]
        if response.status_code == 302 and outcomes[role] == REDIRECT:
            pages.append(client.get(response["Location"]))
        found = [marker for page in pages for marker in MARKERS if marker in _text(page)]
        if found:
            leaks[role] = found
    assert outcomes == wanted
    assert not leaks, f"{method.upper()} {url} shows organisation A's data to {leaks}"
    assert _rows_of_record() == before, f"{method.upper()} {url} by an outsider changed the record"


def test_the_markers_are_visible_to_those_who_may_see_them(client, secrets_world):
    """The leak test above would pass vacuously if the markers never reached any page."""
    users = secrets_world["users"]
    review = reverse("surveys:review-submission", kwargs={"submission_id": secrets_world["submission_a"]})
    login_staff(client, users["reviewer"])
    text = _text(client.get(review))
    assert {"SECRET-A-ANSWER", "SECRET-A-COMMENT", "SECRET-A-MILEPOST", "SECRET-A-PROPOSAL"} <= {
        marker for marker in MARKERS if marker in text
    }
    client.logout()
    login_staff(client, users["administrator"])
    assert "SECRET-A-AUDIT" in _text(client.get(reverse("surveys:audit-log")))
