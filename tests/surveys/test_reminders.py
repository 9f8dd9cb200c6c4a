"""Deadline reminders: sent 14, 7 and 1 day before the close, to organisations that have not submitted, once."""

import datetime

import pytest
from django.core import mail

from surveys.models import Membership, ReminderSent, Submission
from surveys.services.reminders import reminder_due, reminders_send
from surveys.tasks import reminders_send_task
from tests.factories import MembershipFactory, OrganizationFactory, SubmissionFactory, SurveyCycleFactory

pytestmark = pytest.mark.django_db

CLOSES = datetime.date(2026, 12, 18)


@pytest.fixture
def cycle():
    return SurveyCycleFactory(year=2026, opens_on=datetime.date(2026, 9, 1), closes_on=CLOSES)


@pytest.fixture
def organizations(cycle):
    late = OrganizationFactory(name="Late Co")
    drafting = OrganizationFactory(name="Drafting Co")
    done = OrganizationFactory(name="Done Co")
    OrganizationFactory(name="Gone Co", is_active=False)
    for org in (late, drafting, done):
        MembershipFactory(organization=org, role=Membership.Role.LEAD)
    MembershipFactory(organization=late, role=Membership.Role.CONTRIBUTOR)
    SubmissionFactory(organization=drafting, cycle=cycle, status=Submission.Status.DRAFT)
    SubmissionFactory(organization=done, cycle=cycle, status=Submission.Status.SUBMITTED)
    return late, drafting, done


@pytest.mark.parametrize(
    "days_left,due", [(30, None), (15, None), (14, 14), (10, 14), (7, 7), (3, 7), (1, 1), (0, 1), (-1, None)]
)
def test_the_most_urgent_reminder_not_yet_passed_is_due(cycle, days_left, due):
    assert reminder_due(cycle=cycle, today=CLOSES - datetime.timedelta(days=days_left)) == due


def test_reminders_go_to_organisations_that_have_not_submitted_and_only_once(
    organizations, cycle, django_capture_on_commit_callbacks
):
    late, drafting, done = organizations
    today = CLOSES - datetime.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=today) == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    expected = sorted(
        Membership.objects.filter(organization__in=[late, drafting]).values_list("user__email", flat=True)
    )
    assert recipients == expected
    assert "14 days left" in mail.outbox[0].subject and "18 December 2026" in mail.outbox[0].body
    assert set(ReminderSent.objects.values_list("organization__name", "days_before")) == {
        ("Late Co", 14),
        ("Drafting Co", 14),
    }

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=today) == 0
        assert reminders_send(today=today + datetime.timedelta(days=1)) == 0
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=CLOSES - datetime.timedelta(days=7)) == 2
    assert all("7 days left" in m.subject for m in mail.outbox)


def test_the_task_wraps_the_service_and_running_it_twice_sends_once(django_capture_on_commit_callbacks):
    from django.utils import timezone

    today = timezone.localdate()
    SurveyCycleFactory(
        year=2030, opens_on=today - datetime.timedelta(days=30), closes_on=today + datetime.timedelta(days=7)
    )
    MembershipFactory(organization=OrganizationFactory(name="Late Co"), role=Membership.Role.LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_task.delay().get() == 1
        assert reminders_send_task.delay().get() == 0
    assert len(mail.outbox) == 1


def test_an_organisation_with_nobody_to_tell_is_reminded_once_someone_joins(
    cycle, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    empty = OrganizationFactory(name="Empty Co")
    for index in range(20):
        MembershipFactory(organization=OrganizationFactory(name=f"Busy {index}"), role=Membership.Role.LEAD)
    today = CLOSES - datetime.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(70):
        assert reminders_send(today=today) == 20
    assert not ReminderSent.objects.filter(organization=empty).exists()

    MembershipFactory(organization=empty, role=Membership.Role.LEAD, user__email="new@empty.example")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=today + datetime.timedelta(days=1)) == 1
    assert [m.to for m in mail.outbox] == [["new@empty.example"]]
