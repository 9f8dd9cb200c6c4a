"""One real Celery worker against Redis: an audit export asked for on the page is written by the worker."""

import csv
import io
import time

import pytest
from django.urls import reverse

from surveys.models import AuditEvent, ExportJob, User
from tests.conftest import login_staff
from tests.factories import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_writes_the_audit_export_and_the_page_links_to_it(
    real_worker, client, settings, tmp_path
):
    settings.EXPORTS_DIR = tmp_path / "exports"
    organization = OrganizationFactory(name="Plover Streams")
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(kind=AuditEvent.Kind.COMMENT, organization=organization, note=f"=cmd {n}")
            for n in range(120)
        ]
    )
    admin = login_staff(client, UserFactory(staff_role=User.StaffRole.ADMINISTRATOR))

    response = admin.post(reverse("surveys:audit-export"), {"organization": "Plover Streams"})

    job = ExportJob.objects.get()
    assert response["Location"] == reverse("surveys:export-detail", args=[job.pk])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        time.sleep(0.2)
    assert (job.status, job.rows_done, job.error) == (ExportJob.Status.DONE, 120, "")
    page = admin.get(response["Location"]).content.decode()
    assert reverse("surveys:export-download", args=[job.pk]) in page
    download = admin.get(reverse("surveys:export-download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 121 and rows[1][2] == "Plover Streams" and rows[1][8].startswith("'=cmd")
