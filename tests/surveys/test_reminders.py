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


def test_a_lead_is_asked_to_submit_and_a_contributor_is_told_who_their_lead_is(
    cycle, django_capture_on_commit_callbacks
):
    organization = OrganizationFactory(name="Late Co")
    MembershipFactory(
        organization=organization,
        role=Membership.Role.LEAD,
        user__email="lena@late.example",
        user__first_name="Lena",
    )
    MembershipFactory(
        organization=organization, role=Membership.Role.CONTRIBUTOR, user__email="carl@late.example"
    )

    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=CLOSES - datetime.timedelta(days=7))

    body = {message.to[0]: message.body for message in mail.outbox}
    assert "ask your organisation's lead" not in body["lena@late.example"]
    assert "you are the one who submits" in body["lena@late.example"]
    assert (
        "Lena" in body["carl@late.example"]
        and "(your organisation's lead) then submits it" in body["carl@late.example"]
    )


def test_the_plan_says_which_reminder_goes_to_whom_and_when(organizations, cycle):
    from surveys.services.reminders import reminders_plan

    late, drafting, done = organizations
    ReminderSent.objects.create(cycle=cycle, organization=late, days_before=14)
    today = CLOSES - datetime.timedelta(days=10)

    [(planned_cycle, reminders)] = reminders_plan(today=today)

    assert planned_cycle == cycle
    by_days = {reminder.days: reminder for reminder in reminders}
    assert by_days[14].status == "due"  # the 14-day reminder is still due for Drafting Co
    assert [org.name for org, _ in by_days[14].recipients] == ["Drafting Co"]
    assert by_days[7].status == "upcoming" and by_days[7].on == datetime.date(2026, 12, 11)
    assert sorted(org.name for org, _ in by_days[7].recipients) == ["Drafting Co", "Late Co"]
    assert by_days[1].on == datetime.date(2026, 12, 17)
