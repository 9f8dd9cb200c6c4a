"""The review workflow's written rule, as a literal table, checked against the services and the pages.

The rule comes from the staff and member guides (docs/staff.md, docs/members.md), not from
`ALLOWED_TRANSITIONS`: every (from, to) pair and every kind of person is listed here by hand, so a change to the
table in the code that the guides do not describe fails a test.
"""

import pytest
from django.urls import reverse

from surveys.models import AuditEvent, Submission
from surveys.services import workflow
from tests.conftest import login_staff
from tests.factories import MembershipFactory, SubmissionFactory, answer_create, review_questionnaire

pytestmark = pytest.mark.django_db

DRAFT, SUBMITTED, RETURNED, APPROVED, REOPENED = "draft", "submitted", "returned", "approved", "reopened"
STATUSES = [DRAFT, SUBMITTED, RETURNED, APPROVED, REOPENED]
TARGETS = [SUBMITTED, RETURNED, APPROVED, REOPENED]  # nothing ever moves back to draft
PEOPLE = ["contributor_a", "lead_a", "lead_b", "reviewer", "administrator"]

# Who may move a submission of organisation A from one status to another. Every pair not listed is refused to
# everyone. "Staff" submit on the member's behalf (answers received another way, imports).
STAFF = {"reviewer", "administrator"}
RULE: dict[tuple[str, str], set[str]] = {
    (DRAFT, SUBMITTED): {"lead_a"} | STAFF,
    (SUBMITTED, RETURNED): STAFF,
    (SUBMITTED, APPROVED): STAFF,
    (RETURNED, SUBMITTED): {"lead_a"} | STAFF,
    (APPROVED, REOPENED): {"administrator"},
    (REOPENED, SUBMITTED): {"lead_a"} | STAFF,
}
CASES = [(start, to, who) for start in STATUSES for to in TARGETS for who in PEOPLE]


@pytest.fixture
def people(org_a, org_b, reviewer, administrator):
    return {
        "contributor_a": MembershipFactory(organization=org_a, role="contributor").user,
        "lead_a": MembershipFactory(organization=org_a, role="lead").user,
        "lead_b": MembershipFactory(organization=org_b, role="lead").user,
        "reviewer": reviewer,
        "administrator": administrator,
    }


@pytest.fixture
def complete_submission(org_a):
    """A's submission with every required question answered, so only the rule can refuse it."""
    submission = SubmissionFactory(organization=org_a, cycle=review_questionnaire(2026))
    answer_create(submission, "image_hashing", ["photodna"])
    answer_create(submission, "supplemental_reports", True)
    answer_create(submission, "authority_reporting", "api_only")
    return submission


def _set_status(submission, status):
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()


def _attempt(to, submission, user):
    """The one service a person of that kind uses to reach `to`."""
    if to == SUBMITTED:
        if user.is_coalition_staff:
            return workflow.submission_submit_on_behalf(submission=submission, actor=user, note="By e-mail.")
        return workflow.submission_submit(submission=submission, actor=user)
    if to == RETURNED:
        return workflow.submission_return(submission=submission, reviewer=user, note="Please check.")
    if to == APPROVED:
        return workflow.submission_approve(submission=submission, reviewer=user)
    return workflow.submission_reopen(submission=submission, administrator=user, reason="Typo found.")


@pytest.mark.parametrize("start,to,who", CASES, ids=[f"{a}->{b}-by-{w}" for a, b, w in CASES])
def test_the_workflow_follows_the_written_rule(complete_submission, people, start, to, who):
    _set_status(complete_submission, start)
    user = people[who]

    if who in RULE.get((start, to), set()):
        moved = _attempt(to, complete_submission, user)
        assert moved.status == to
        complete_submission.refresh_from_db()
        assert complete_submission.status == to
        event = AuditEvent.objects.get(submission=complete_submission, kind=AuditEvent.Kind.TRANSITION)
        assert (event.old_value, event.new_value, event.actor) == (start, to, user)
    else:
        with pytest.raises(workflow.TransitionError):
            _attempt(to, complete_submission, user)
        complete_submission.refresh_from_db()
        assert complete_submission.status == start
        assert not AuditEvent.objects.filter(submission=complete_submission).exists()


def test_the_rule_lists_every_status():
    """A new status must be added to the rule above (and to the guides) before it can be used."""
    assert sorted(Submission.Status.values) == sorted(STATUSES)


# The same rule through the review pages: a reviewer's click on a button the status does not allow changes nothing.
PAGE_ACTIONS = {
    "review-approve": (APPROVED, {"note": ""}),
    "review-return": (RETURNED, {"note": "Please check."}),
    "review-reopen": (REOPENED, {"note": "Typo found."}),
}
PAGE_CASES = [(start, action) for start in STATUSES for action in PAGE_ACTIONS]


@pytest.mark.parametrize("start,action", PAGE_CASES, ids=[f"{a}-{b}" for a, b in PAGE_CASES])
def test_the_review_buttons_follow_the_written_rule(
    client, complete_submission, administrator, start, action
):
    to, data = PAGE_ACTIONS[action]
    _set_status(complete_submission, start)
    login_staff(client, administrator)

    client.post(
        reverse(f"surveys:{action}", args=[complete_submission.pk]), {**data, "expected_status": start}
    )

    complete_submission.refresh_from_db()
    expected = to if "administrator" in RULE.get((start, to), set()) else start
    assert complete_submission.status == expected
