"""Staff pages in the browser: the organisation suggestions, paging the audit log, an export's progress, and axe."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Invitation, Organization
from tests.factories import UserFactory

from .conftest import log_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_organisation_input_suggests_names_as_you_type(page, live_server):
    Organization.objects.bulk_create(
        [Organization(name=f"Member {n:04}", slug=f"member-{n:04}") for n in range(500)]
        + [Organization(name="Harbour Messaging", slug="harbour-messaging")]
    )
    administrator = UserFactory(staff_role="administrator", email="ada@coalition.example")
    log_in_staff(page, administrator, "/staff/invitations/new/")

    page.get_by_label("Organisation").press_sequentially("harb")
    suggestions = page.locator("datalist option")
    suggestions.first.wait_for(state="attached")
    assert suggestions.evaluate_all("options => options.map(o => o.value)") == ["Harbour Messaging"]

    page.get_by_label("Organisation").fill("Harbour Messaging")
    page.get_by_label("E-mail address").fill("new.person@harbour.example")
    page.get_by_role("button", name="Send the invitation").click()
    assert page.get_by_text(
        "Invitation sent to new.person@harbour.example for Harbour Messaging."
    ).is_visible()
    assert Invitation.objects.get().organization.name == "Harbour Messaging"


def test_the_staff_lists_have_no_serious_accessibility_violation(page, live_server):
    from surveys.models import AuditEvent, ExportJob, Submission
    from tests.factories import SubmissionFactory, review_questionnaire

    from .test_accessibility import _axe_violations

    cycle = review_questionnaire(2026)
    organizations = Organization.objects.bulk_create(
        [Organization(name=f"Member {n:03}", slug=f"member-{n:03}") for n in range(120)]
    )
    for organization in organizations[:3]:
        SubmissionFactory(organization=organization, cycle=cycle, status=Submission.Status.SUBMITTED)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(kind="answer_changed", organization=organizations[0], old_value=["a"], new_value=[n])
            for n in range(150)
        ]
    )
    administrator = UserFactory(staff_role="administrator", email="ada@coalition.example")
    job = ExportJob.objects.create(
        kind="audit", requested_by=administrator, expires_at=timezone.now() + timedelta(hours=1)
    )
    log_in_staff(page, administrator, "/review/")

    for path in ["/review/", "/staff/participation/?year=2026", "/staff/audit/", f"/staff/exports/{job.pk}/"]:
        page.goto(path)
        assert _axe_violations(page) == [], path
    page.goto("/staff/audit/")
    page.get_by_role("link", name="Older").click()
    assert page.locator("tbody tr").count() == 50

    # The export's page follows the worker and shows the download once the file is written.
    page.goto(f"/staff/exports/{job.pk}/")
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_total=200, rows_done=100)
    page.get_by_text("Being written: 100 of 200 rows.").wait_for()
    ExportJob.objects.filter(pk=job.pk).update(status="done", rows_done=200, size=1000)
    page.get_by_role("link", name="Download the CSV").wait_for()
