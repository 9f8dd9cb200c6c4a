"""The staff reminders page: reviewers see what will be sent to whom and when; administrators send now."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from surveys.models import Membership, ReminderSent
from tests.factories import MembershipFactory, OrganizationFactory, SurveyCycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_today():
    today = timezone.localdate()
    cycle = SurveyCycleFactory(
        year=2026, opens_on=today - datetime.timedelta(days=30), closes_on=today + datetime.timedelta(days=7)
    )
    organization = OrganizationFactory(name="Late Co")
    MembershipFactory(organization=organization, role=Membership.Role.LEAD, user__email="lena@late.example")
    return cycle


def test_reviewers_see_the_due_reminder_and_its_recipients(reviewer_client, due_today):
    html = reviewer_client.get(reverse("surveys:reminders")).content.decode()

    assert "Due today" in html
    assert "Late Co" in html and "lena@late.example" in html
    assert "Only an administrator can send reminders by hand." in html
    assert "14, 7 and 1 days before the survey closes" in html


def test_the_page_counts_organisations_with_nobody_to_remind(reviewer_client, due_today):
    OrganizationFactory(name="Empty Co")

    html = reviewer_client.get(reverse("surveys:reminders")).content.decode()

    assert "1 organisation has not submitted but nobody in Milepost to e-mail" in html


def test_members_cannot_see_the_reminders_page(lead_client, due_today):
    assert lead_client.get(reverse("surveys:reminders")).status_code == 403
    assert lead_client.post(reverse("surveys:reminders-send")).status_code == 403


def test_a_reviewer_cannot_send_and_an_administrator_sends_once(
    client, reviewer, administrator, due_today, django_capture_on_commit_callbacks
):
    from tests.conftest import login_staff

    login_staff(client, reviewer)
    assert client.post(reverse("surveys:reminders-send")).status_code == 403
    login_staff(client, administrator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:reminders-send"), follow=True)
    assert "Sent today&#x27;s reminder to 1 organisation." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["lena@late.example"]]
    assert ReminderSent.objects.filter(days_before=7).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:reminders-send"), follow=True)
    assert "Nothing was sent" in response.content.decode()
    assert len(mail.outbox) == 1
