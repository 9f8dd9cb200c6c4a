"""Staff pages at scale (issue 16): pages of rows with the filters in the URL, the keyset audit log, the
organisation chooser, the streamed answers export and the audit export as a background job."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from surveys import selectors_staff
from surveys.models import AuditEvent, ExportJob, Invitation, Organization, Submission, User
from surveys.services import exports
from tests.conftest import login_staff
from tests.factories import (
    OrganizationFactory,
    SubmissionFactory,
    SurveyCycleFactory,
    UserFactory,
    review_questionnaire,
)

pytestmark = pytest.mark.django_db
Status = Submission.Status


@pytest.fixture
def cycle():
    return review_questionnaire(2026)


def _organizations(n: int, prefix: str = "Member") -> list[Organization]:
    return Organization.objects.bulk_create(
        [Organization(name=f"{prefix} {i:03}", slug=f"{prefix.lower()}-{i:03}") for i in range(n)]
    )


def _links(response, text: str) -> list[str]:
    """The hrefs of the links whose text is `text`, unescaped."""
    html = response.content.decode()
    return [
        href.replace("&amp;", "&")
        for href, label in re.findall(r'href="([^"]*)">([^<]*)</a>', html)
        if label == text
    ]


# --- Participation --------------------------------------------------------------------------------------


def test_participation_counts_organisations_and_those_with_nobody_to_fill_the_survey_in(
    reviewer_client, cycle
):
    organizations = _organizations(4)
    UserFactory(email="lead@member-000.example").memberships.create(
        organization=organizations[0], role="lead"
    )
    UserFactory(email="gone@member-001.example", is_active=False).memberships.create(
        organization=organizations[1], role="lead"
    )
    Organization.objects.filter(pk=organizations[3].pk).update(is_active=False)

    response = reviewer_client.get(reverse("surveys:participation"), {"year": 2026})

    html = response.content.decode()
    assert re.search(r'Member organisations</dt><dd[^>]*data-total="organizations">3<', html)
    assert re.search(r'With nobody to invite yet</dt><dd[^>]*data-total="without_people">2<', html)
    assert "Invited" not in html


def test_participation_shows_a_page_of_organisations_and_totals_for_all(reviewer_client, cycle):
    organizations = _organizations(150)
    Submission.objects.bulk_create(
        [Submission(organization=o, cycle=cycle, status=Status.SUBMITTED) for o in organizations[:40]]
    )
    response = reviewer_client.get(reverse("surveys:participation"), {"year": 2026})

    assert [row["organization"].name for row in response.context["rows"]][:2] == ["Member 000", "Member 001"]
    assert len(response.context["rows"]) == 100
    totals = response.context["totals"]
    assert (totals["organizations"], totals["submitted"], totals["not_started"]) == (150, 40, 110)
    assert response.content.decode().count('<tr class="participation-') == 100


def test_participation_filters_stay_in_the_page_links(reviewer_client, cycle):
    organizations = _organizations(230)
    Submission.objects.bulk_create(
        [Submission(organization=o, cycle=cycle, status=Status.DRAFT) for o in organizations[:10]]
    )
    url = reverse("surveys:participation")
    first = reviewer_client.get(url, {"year": 2026, "status": "not_started", "q": "member"})
    assert first.context["page"].paginator.count == 220
    assert {row["status"] for row in first.context["rows"]} == {"not_started"}
    (next_link,) = _links(first, "Next")
    assert "year=2026" in next_link and "status=not_started" in next_link and "q=member" in next_link
    second = reviewer_client.get(url + next_link)
    assert second.context["rows"][0]["organization"].name == "Member 110"
    (last_link,) = _links(second, "Next")
    assert [r["organization"].name for r in reviewer_client.get(url + last_link).context["rows"]][-1] == (
        "Member 229"
    )

    drafts = reviewer_client.get(url, {"year": 2026, "status": "draft", "q": "00"})
    assert [row["organization"].name for row in drafts.context["rows"]] == [
        f"Member 00{i}" for i in range(10)
    ]


def test_staff_and_members_see_the_same_current_year_when_the_next_cycle_is_announced(
    client, reviewer, lead_a
):
    """A closed 2026 beside an upcoming 2027: both the staff and the member pages mean 2026."""
    today = timezone.localdate()
    SurveyCycleFactory(year=2026, opens_on=today - timedelta(days=90), closes_on=today - timedelta(days=10))
    SurveyCycleFactory(year=2027, opens_on=today + timedelta(days=10), closes_on=today + timedelta(days=90))

    staff = login_staff(client, reviewer).get(reverse("surveys:participation"))
    assert staff.context["cycle"].year == 2026
    client.force_login(lead_a)
    org = lead_a.memberships.get().organization
    member = client.get(reverse("surveys:organization-detail", kwargs={"org_slug": org.slug}))
    assert member.context["cycle"].year == 2026


def test_participation_runs_the_same_queries_for_300_organisations_as_for_30(
    reviewer_client, cycle, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reviewer_client.get(reverse("surveys:participation"), {"year": 2026}).status_code == 200
        return len(captured)

    organizations = _organizations(30)
    Submission.objects.bulk_create([Submission(organization=o, cycle=cycle) for o in organizations])
    few = queries()
    more = _organizations(270, prefix="Other")
    Submission.objects.bulk_create([Submission(organization=o, cycle=cycle) for o in more])
    assert queries() == few


# --- Review queue ---------------------------------------------------------------------------------------


def test_the_queue_keeps_its_filters_in_the_page_links(reviewer_client, cycle):
    organizations = _organizations(130)
    Submission.objects.bulk_create(
        [
            Submission(organization=o, cycle=cycle, status=Status.SUBMITTED, submitted_at=timezone.now())
            for o in organizations
        ]
    )
    url = reverse("surveys:review-queue")
    first = reviewer_client.get(url, {"status": "submitted", "year": 2026, "q": "member"})
    (next_link,) = _links(first, "Next")
    assert "status=submitted" in next_link and "year=2026" in next_link and "q=member" in next_link
    assert next_link.count("page=") == 1
    second = reviewer_client.get(url + next_link)
    assert len(second.context["page"].object_list) == 30
    assert second.context["form"].cleaned_data["q"] == "member"


def test_the_queue_filters_by_an_organisation_typed_by_name(reviewer_client, cycle):
    wanted = SubmissionFactory(organization=OrganizationFactory(name="Kestrel Chat"), cycle=cycle)
    SubmissionFactory(organization=OrganizationFactory(name="Kestrel Games"), cycle=cycle)
    url = reverse("surveys:review-queue")

    response = reviewer_client.get(url, {"status": "", "organization": "kestrel chat"})
    assert list(response.context["page"].object_list) == [wanted]

    SubmissionFactory(organization=OrganizationFactory(name="Osprey"), cycle=cycle, status=Status.APPROVED)
    unknown = reviewer_client.get(url, {"status": "draft", "organization": "Kestrel"})
    assert len(unknown.context["page"].object_list) == 2  # the status filter still applies
    content = unknown.content.decode()
    assert "No organisation is called “Kestrel”. Did you mean Kestrel Chat, Kestrel Games?" in content
    assert 'value="Kestrel"' in content  # what was typed stays in the box


# --- Organisation chooser -------------------------------------------------------------------------------


def test_the_organisation_search_returns_a_few_names_starting_with_the_query_first(reviewer_client):
    _organizations(30, prefix="Blue")
    OrganizationFactory(name="Deep Blue Ltd")
    OrganizationFactory(name="Blue Gone", is_active=False)
    response = reviewer_client.get(reverse("surveys:organization-search"), {"q": "blue"})
    names = [row["name"] for row in response.json()["results"]]
    assert len(names) == 10 and names[0] == "Blue 000" and "Blue Gone" not in names
    deep = reviewer_client.get(reverse("surveys:organization-search"), {"q": "deep"}).json()["results"]
    assert deep == [{"name": "Deep Blue Ltd", "slug": "deep-blue-ltd"}]


def test_the_invitation_form_chooses_the_organisation_by_name_not_from_a_list_of_all(admin_client):
    _organizations(300)
    url = reverse("surveys:invitation-create")
    page = admin_client.get(url).content.decode()
    assert "Member 299" not in page and page.count("<option") < 5
    assert "js/organization-search.js" in page and "data-organization-search" in page

    refused = admin_client.post(
        url, {"email": "new@example.org", "organization": "Member 9999", "role": "lead"}
    )
    assert "No organisation is called “Member 9999”." in refused.content.decode()
    assert 'value="new@example.org"' in refused.content.decode()

    admin_client.post(url, {"email": "new@example.org", "organization": "member 042", "role": "lead"})
    assert Invitation.objects.get().organization.name == "Member 042"


def test_a_link_with_an_organisation_id_prefills_its_name(admin_client):
    organization = OrganizationFactory(name="Heron Video")
    page = admin_client.get(reverse("surveys:invitation-create"), {"organization": organization.pk})
    assert 'value="Heron Video"' in page.content.decode()


# --- Audit log ------------------------------------------------------------------------------------------


def _events(n: int, *, organization=None, same_moment: bool = False) -> list[AuditEvent]:
    start = timezone.now() - timedelta(days=1)
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                kind=AuditEvent.Kind.COMMENT,
                organization=organization,
                subject=f"event-{i:03}",
                created_at=start if same_moment else start + timedelta(seconds=i),
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("same_moment", [False, True], ids=["distinct-times", "one-moment"])
def test_the_audit_log_pages_older_and_newer_without_skipping_or_repeating(admin_client, same_moment):
    organization = OrganizationFactory(name="Wren Social")
    events = _events(250, organization=organization, same_moment=same_moment)
    _events(5)  # another organisation's events stay out of the filtered pages
    newest_first = sorted(events, key=lambda e: (e.created_at, e.pk), reverse=True)
    url = reverse("surveys:audit-log")

    first = admin_client.get(url, {"organization": "Wren Social"})
    seen = [e.pk for e in first.context["page"].events]
    pages = [first]
    while older := _links(pages[-1], "Older"):
        assert "organization=Wren+Social" in older[0] and older[0].count("before=") == 1
        pages.append(admin_client.get(url + older[0]))
        seen += [e.pk for e in pages[-1].context["page"].events]
    assert seen == [e.pk for e in newest_first]
    assert [len(p.context["page"].events) for p in pages] == [100, 100, 50]

    (newer,) = _links(pages[-1], "Newer")
    back = admin_client.get(url + newer)
    assert [e.pk for e in back.context["page"].events] == [e.pk for e in pages[1].context["page"].events]
    (newer,) = _links(back, "Newer")
    assert [e.pk for e in admin_client.get(url + newer).context["page"].events] == seen[:100]


def test_the_audit_log_page_queries_do_not_grow_with_the_log(admin_client, django_assert_max_num_queries):
    _events(50)
    with django_assert_max_num_queries(12):
        small = admin_client.get(reverse("surveys:audit-log"))
    _events(2000)
    with django_assert_max_num_queries(12):
        big = admin_client.get(reverse("surveys:audit-log"))
    assert len(small.context["page"].events) == 50 and len(big.context["page"].events) == 100


def test_the_audit_log_shows_values_in_words(admin_client):
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.ANSWER_CHANGED,
        subject="image_hashing",
        old_value=["photodna"],
        new_value=["photodna", "pdq"],
    )
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.ANSWER_CHANGED, subject="reports", old_value=False, new_value={"count": 12}
    )
    content = admin_client.get(reverse("surveys:audit-log")).content.decode()
    assert "photodna → photodna; pdq" in content
    assert "No → count: 12" in content
    assert "[&#x27;photodna" not in content and "{&#x27;count" not in content


def test_the_audit_log_filters_by_a_user_typed_by_email(admin_client, reviewer):
    AuditEvent.objects.create(kind=AuditEvent.Kind.COMMENT, actor=reviewer, subject="mine")
    AuditEvent.objects.create(kind=AuditEvent.Kind.COMMENT, subject="system")
    url = reverse("surveys:audit-log")
    events = admin_client.get(url, {"actor": reviewer.email.upper()}).context["page"].events
    assert [e.subject for e in events] == ["mine"]
    assert "Nobody has the e-mail address “nobody@example.org”" in (
        admin_client.get(url, {"actor": "nobody@example.org"}).content.decode()
    )


def test_reading_the_audit_log_in_batches_returns_every_event_once():
    events = _events(23, same_moment=True) + _events(7)
    read = list(selectors_staff.audit_events_iter(selectors_staff.audit_events(), rows_per_query=5))
    assert sorted(e.pk for e in read) == sorted(e.pk for e in events)
    assert len(read) == len({e.pk for e in read})


@pytest.mark.parametrize(
    "value,words",
    [(None, "—"), ([], "—"), (True, "Yes"), (["a", "b"], "a; b"), ({"x": 1, "y": [True]}, "x: 1, y: Yes")],
)
def test_audit_values_in_words(value, words):
    assert selectors_staff.audit_value_display(value) == words


# --- Answers export (streamed) --------------------------------------------------------------------------


def test_the_answers_export_streams_in_organisation_order_across_chunks(reviewer_client, cycle):
    from tests.factories import answer_create

    names = ["Zebra", "=Evil", "Alpha", "Mole"]
    for name in names:
        answer_create(
            SubmissionFactory(organization=OrganizationFactory(name=name), cycle=cycle),
            "supplemental_reports",
            True,
        )
    rows = list(exports.answers_export_rows(cycle=cycle, submissions_per_chunk=1))
    assert [row[0] for row in rows[1:]] == sorted(names)

    response = reviewer_client.get(reverse("surveys:answers-export", args=[2026]))
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(body))][1:] == ["'=Evil", "Alpha", "Mole", "Zebra"]


def test_csv_chunks_neutralise_every_cell_with_one_function():
    body = b"".join(exports.csv_chunks([["=1", "+2", "ok"], ["-3", "@4", None]], rows_per_chunk=1))
    assert body.decode("utf-8-sig").splitlines() == ["'=1,'+2,ok", "'-3,'@4,"]


# --- Audit export (a background job) --------------------------------------------------------------------


@pytest.fixture
def exports_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"
    return settings.EXPORTS_DIR


def test_the_audit_export_is_a_job_with_progress_then_a_private_download(
    admin_client, administrator, exports_dir, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 10)
    organization = OrganizationFactory(name="Ibis Forum")
    _events(35, organization=organization)
    _events(4)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(reverse("surveys:audit-export"), {"organization": "Ibis Forum"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("surveys:export-detail", args=[job.pk])
    assert (job.status, job.requested_by, job.description, job.filters) == (
        ExportJob.Status.QUEUED,
        administrator,
        "Ibis Forum",
        {"organization": organization.pk},
    )
    waiting = admin_client.get(response["Location"]).content.decode()
    assert "Waiting for the worker." in waiting and "js/export-progress.js" in waiting
    assert admin_client.get(response["Location"], {"format": "json"}).json() == {
        "status": "queued",
        "progress": 0,
        "text": "Waiting for the worker.",
    }

    for callback in callbacks:
        callback()  # the worker's turn (tasks run in-process in the tests)
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_done) == (ExportJob.Status.DONE, 35, 35)
    path = exports.export_file_path(job)
    assert path.parent == exports_dir and path.exists()
    from django.conf import settings

    assert not str(path).startswith(str(settings.STATIC_ROOT))

    ready = admin_client.get(response["Location"]).content.decode()
    assert "Download the CSV" in ready and "35 rows" in ready
    assert admin_client.get(response["Location"], {"format": "json"}).json()["status"] == "done"
    download = admin_client.get(reverse("surveys:export-download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 36 and {row[2] for row in rows[1:]} == {"Ibis Forum"}
    assert download["Cache-Control"] == "private, no-store"
    assert exports.export_job_run(job_id=job.pk).size == path.stat().st_size  # idempotent


def test_only_administrators_download_exports_and_only_until_they_expire(
    admin_client, exports_dir, django_capture_on_commit_callbacks
):
    from django.test import Client

    _events(3)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("surveys:audit-export"))
    job = ExportJob.objects.get()
    url = reverse("surveys:export-download", args=[job.pk])

    reviewer = login_staff(Client(), UserFactory(staff_role=User.StaffRole.REVIEWER))
    assert reviewer.get(url).status_code == 403

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    gone = admin_client.get(url)
    assert gone.status_code == 410 and "expired" in gone.content.decode()
    assert exports.export_jobs_purge() == 1
    assert not exports.export_file_path(job).exists() and not ExportJob.objects.exists()


def test_an_export_asked_for_while_the_broker_is_down_says_so(
    admin_client, exports_dir, django_capture_on_commit_callbacks, monkeypatch
):
    from surveys import tasks

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(tasks.export_job_run_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("surveys:audit-export"))
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert "The background worker could not be reached. Try again in a few minutes." in page.content.decode()
    assert ExportJob.objects.get().status == ExportJob.Status.FAILED


def test_the_audit_log_lists_my_recent_exports(admin_client, administrator, exports_dir):
    ExportJob.objects.create(
        kind="audit",
        requested_by=administrator,
        description="Kite Apps",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    ExportJob.objects.create(
        kind="audit", requested_by=UserFactory(), expires_at=timezone.now() + timedelta(hours=1)
    )
    exports_listed = admin_client.get(reverse("surveys:audit-log")).context["exports"]
    assert [job.description for job in exports_listed] == ["Kite Apps"]


def test_an_export_with_a_wrong_filter_goes_back_to_the_log_with_the_filters_and_why(
    admin_client, exports_dir
):
    response = admin_client.post(
        reverse("surveys:audit-export"), {"organization": "Nobody Inc", "kind": "comment"}
    )
    assert response["Location"] == reverse("surveys:audit-log") + "?organization=Nobody+Inc&kind=comment"
    page = admin_client.get(response["Location"]).content.decode()
    assert "Fix the filters before exporting: No organisation is called “Nobody Inc”." in page
    assert not ExportJob.objects.exists()


def test_reading_the_audit_log_as_plain_rows_in_batches_returns_every_event_once():
    events = _events(12, same_moment=True) + _events(9)
    rows = selectors_staff.audit_events(kind="comment").values_list("id", "created_at", "subject")
    read = list(selectors_staff.audit_events_iter(rows, rows_per_query=4))
    assert [row[0] for row in read] == [
        e.pk for e in sorted(events, key=lambda e: (e.created_at, e.pk), reverse=True)
    ]


def test_an_export_folder_the_worker_cannot_write_fails_the_job_with_a_clear_message(
    admin_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the exports folder should be")
    settings.EXPORTS_DIR = blocker / "exports"
    _events(2)
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("surveys:audit-export"))
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    page = admin_client.get(reverse("surveys:export-detail", args=[job.pk])).content.decode()
    assert "The export file could not be written" in page and "EXPORTS_DIR" in page
