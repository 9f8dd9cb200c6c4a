"""The staff's exports (surveys/services/exports.py): the raw answers, read as a reviewer downloads them, and
the audit export job.

Expected files are written out by hand. The response is read whether it is sent whole or streamed.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Answer, AuditEvent, ExportJob, Question, Submission, SubmissionMilepost
from surveys.services import exports
from surveys.services.exports import (
    audit_filters_from_json,
    audit_filters_json,
    csv_chunks,
    export_file_path,
    export_job_request,
    export_job_run,
    export_jobs_purge,
    spreadsheet_safe,
    spreadsheet_unsafe,
)
from tests.factories import (
    MilepostFactory,
    OrganizationFactory,
    QuestionFactory,
    SectionFactory,
    SubmissionFactory,
    UserFactory,
    answer_create,
    review_questionnaire,
)

pytestmark = pytest.mark.django_db
HEADER = ["organization", "year", "question", "value", "status"]


def download(client, year=2026) -> list[list[str]]:
    response = client.get(reverse("surveys:answers-export", args=[year]))
    assert response.status_code == 200
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def cycle():
    """review_questionnaire's detection section, plus an earlier section with a text question."""
    cycle = review_questionnaire(2026)
    profile = SectionFactory(cycle=cycle, code="profile", title="Profile", position=0)
    QuestionFactory(
        section=profile, cycle=cycle, code="company_note", type=Question.Type.SHORT_TEXT, required=False
    )
    return cycle


def test_every_kind_of_answer_in_questionnaire_order_then_mileposts(reviewer_client, cycle):
    submission = SubmissionFactory(
        organization=OrganizationFactory(name="Bravo Games"), cycle=cycle, status=Submission.Status.SUBMITTED
    )
    answer_create(submission, "trust_safety_staff", 12)
    answer_create(submission, "authority_reporting", "manual_only")
    answer_create(submission, "supplemental_reports", False)
    answer_create(submission, "image_hashing", ["pdq", "photodna"])
    answer_create(submission, "company_note", "We moderate 24/7")
    for code in ("zeta_step", "alpha_step"):
        SubmissionMilepost.objects.create(submission=submission, milepost=MilepostFactory(code=code))

    assert download(reviewer_client) == [
        HEADER,
        ["Bravo Games", "2026", "company_note", "We moderate 24/7", "submitted"],
        ["Bravo Games", "2026", "image_hashing", "pdq;photodna", "submitted"],
        ["Bravo Games", "2026", "supplemental_reports", "no", "submitted"],
        ["Bravo Games", "2026", "authority_reporting", "manual_only", "submitted"],
        ["Bravo Games", "2026", "trust_safety_staff", "12", "submitted"],
        ["Bravo Games", "2026", "milepost", "alpha_step", "submitted"],
        ["Bravo Games", "2026", "milepost", "zeta_step", "submitted"],
    ]


def test_organisations_in_name_order_each_with_its_own_status(reviewer_client, cycle):
    for name, status in [("Zulu Video", "approved"), ("Alpha Social", "returned"), ("Mike Chat", "draft")]:
        submission = SubmissionFactory(
            organization=OrganizationFactory(name=name), cycle=cycle, status=status
        )
        answer_create(submission, "supplemental_reports", True)

    assert download(reviewer_client)[1:] == [
        ["Alpha Social", "2026", "supplemental_reports", "yes", "returned"],
        ["Mike Chat", "2026", "supplemental_reports", "yes", "draft"],
        ["Zulu Video", "2026", "supplemental_reports", "yes", "approved"],
    ]


def test_hidden_answers_and_other_years_are_left_out_and_milepost_only_submissions_kept(
    reviewer_client, cycle
):
    submission = SubmissionFactory(organization=OrganizationFactory(name="Alpha Social"), cycle=cycle)
    answer_create(submission, "supplemental_reports", True)
    Answer.objects.filter(pk=answer_create(submission, "trust_safety_staff", 3).pk).update(is_visible=False)
    only_mileposts = SubmissionFactory(organization=OrganizationFactory(name="Bravo Games"), cycle=cycle)
    SubmissionMilepost.objects.create(submission=only_mileposts, milepost=MilepostFactory(code="sbd_review"))
    SubmissionFactory(organization=OrganizationFactory(name="Charlie Empty"), cycle=cycle)
    earlier = SubmissionFactory(organization=submission.organization, cycle=review_questionnaire(2025))
    answer_create(earlier, "supplemental_reports", False)

    assert download(reviewer_client)[1:] == [
        ["Alpha Social", "2026", "supplemental_reports", "yes", "draft"],
        ["Bravo Games", "2026", "milepost", "sbd_review", "draft"],
    ]


def test_an_unknown_year_is_not_found(reviewer_client, cycle):
    assert reviewer_client.get(reverse("surveys:answers-export", args=[2031])).status_code == 404


@pytest.mark.parametrize(
    "text,safe",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("a=b", "a=b"),
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_spreadsheet_safe_prefixes_exactly_the_formula_starts(text, safe):
    assert spreadsheet_safe(text) == safe


@pytest.mark.parametrize(
    "cell,text",
    [
        ("'=1+1", "=1+1"),
        ("'\rcmd", "\rcmd"),
        ("'quoted", "'quoted"),  # an apostrophe the member typed, not one the export added
        ("''=1", "''=1"),
        ("'", "'"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_spreadsheet_unsafe_removes_only_the_apostrophe_the_export_added(cell, text):
    assert spreadsheet_unsafe(cell) == text


def test_text_answers_that_look_like_formulas_survive_an_export_and_import_unchanged(
    reviewer_client, cycle, reviewer
):
    from surveys.services import imports

    submission = SubmissionFactory(organization=OrganizationFactory(name="Alpha Social"), cycle=cycle)
    answer_create(submission, "company_note", "=HYPERLINK(1)")
    answer_create(submission, "supplemental_reports", True)
    rows = download(reviewer_client)
    assert rows[1][3] == "'=HYPERLINK(1)"
    Answer.objects.filter(submission=submission, question__code="company_note").update(value_text="changed")

    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows) + "\n"
    imports.responses_import(text=text, actor=reviewer)

    assert (
        Answer.objects.get(submission=submission, question__code="company_note").value_text == "=HYPERLINK(1)"
    )


def _organisations(cycle, names):
    for name in names:
        submission = SubmissionFactory(organization=OrganizationFactory(name=name), cycle=cycle)
        answer_create(submission, "image_hashing", ["pdq", "photodna"])
        answer_create(submission, "authority_reporting", "api_only")
        answer_create(submission, "company_note", f"{name} note")
        only_mileposts = SubmissionFactory(
            organization=OrganizationFactory(name=f"{name} Mileposts"), cycle=cycle
        )
        SubmissionMilepost.objects.create(submission=only_mileposts, milepost=MilepostFactory())


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_organisations(
    reviewer_client, cycle
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _organisations(cycle, ["Alpha", "Bravo"])
    reviewer_client.get(reverse("surveys:answers-export", args=[2026]))  # session and second factor settle
    with CaptureQueriesContext(connection) as two:
        assert len(download(reviewer_client)) == 1 + 2 * 4
    _organisations(cycle, ["Charlie", "Delta", "Echo", "Foxtrot"])
    with CaptureQueriesContext(connection) as six:
        assert len(download(reviewer_client)) == 1 + 6 * 4

    assert len(six) == len(two)


def test_an_answer_row_without_a_value_exports_an_empty_cell(reviewer_client, cycle):
    submission = SubmissionFactory(organization=OrganizationFactory(name="Alpha Social"), cycle=cycle)
    answer_create(submission, "supplemental_reports", None)
    answer_create(submission, "company_note", "")

    assert download(reviewer_client)[1:] == [
        ["Alpha Social", "2026", "company_note", "", "draft"],
        ["Alpha Social", "2026", "supplemental_reports", "", "draft"],
    ]


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_questions(cycle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.services.exports import answers_export_rows

    with CaptureQueriesContext(connection) as before:
        list(answers_export_rows(cycle=cycle))
    section = SectionFactory(cycle=cycle, code="extra", title="Extra", position=9)
    for code in ("extra_one", "extra_two", "extra_three"):
        QuestionFactory(
            section=section, cycle=cycle, code=code, type=Question.Type.SHORT_TEXT, required=False
        )
    with CaptureQueriesContext(connection) as after:
        list(answers_export_rows(cycle=cycle))

    assert len(after) == len(before)


def test_audit_rows_read_each_column_in_words_and_json():
    import datetime

    from surveys.services.exports import audit_export_rows

    when = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    rows = [
        (
            1,
            when,
            "answer_changed",
            "Acme Ltd",
            2025,
            "lead@acme.test",
            "image_hashing",
            ["pdq"],
            {"b": "é", "a": 1},
            "Fixed.",
        ),
        (2, when, "retired_kind", None, None, None, "", None, "plain text", ""),
    ]

    assert list(audit_export_rows(rows=rows)) == [
        ["when", "event", "organization", "year", "user", "subject", "old value", "new value", "note"],
        [
            "2026-03-04T05:06:07+00:00",
            "Answer changed",
            "Acme Ltd",
            2025,
            "lead@acme.test",
            "image_hashing",
            '["pdq"]',
            '{"a": 1, "b": "é"}',
            "Fixed.",
        ],
        ["2026-03-04T05:06:07+00:00", "retired_kind", "", "", "", "", "", "plain text", ""],
    ]


# --- The audit export job (export_job_request → export_job_run → export_jobs_purge) ----------------------
# The page-level journey is in tests/surveys/test_staff_pages.py; these pin the job's own promises.


@pytest.fixture
def exports_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "private" / "exports"  # two folders the worker must create
    settings.EXPORT_KEEP_HOURS = 3
    return settings.EXPORTS_DIR


def _audit_job(**fields) -> ExportJob:
    fields.setdefault("expires_at", timezone.now() + timedelta(hours=1))
    return ExportJob.objects.create(kind=ExportJob.Kind.AUDIT, **fields)


def _comments(n: int, **fields) -> list[AuditEvent]:
    start = timezone.now() - timedelta(days=1)
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                kind=AuditEvent.Kind.COMMENT,
                subject=f"event-{i:04}",
                created_at=start + timedelta(seconds=i),
                **fields,
            )
            for i in range(n)
        ]
    )


def _csv_rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_csv_chunks_send_the_header_alone_then_five_hundred_rows_a_chunk():
    rows = [["header"]] + [[f"r{i}"] for i in range(1, 1001)]

    chunks = list(csv_chunks(rows))

    assert [chunk.count(b"\n") for chunk in chunks] == [1, 500, 500]
    assert chunks[0] == "\ufeffheader\r\n".encode()
    assert chunks[1].startswith(b"r1\r\nr2\r\n") and chunks[1].endswith(b"r500\r\n")
    assert chunks[2].startswith(b"r501\r\n") and chunks[2].endswith(b"r1000\r\n")


def test_csv_chunks_of_three_rows_end_with_the_remainder():
    chunks = list(csv_chunks([["h"], ["1"], ["2"], ["3"], ["4"]], rows_per_chunk=3))

    assert chunks == ["\ufeffh\r\n".encode(), b"1\r\n2\r\n3\r\n", b"4\r\n"]


def test_audit_filters_keep_what_was_chosen_as_json():
    organization = OrganizationFactory()
    actor = UserFactory()

    data = audit_filters_json(
        {
            "date_to": None,
            "search": "",
            "organization": organization,
            "actor": actor,
            "kind": "comment",
            "date_from": date(2026, 3, 1),
        }
    )

    assert data == {
        "organization": organization.pk,
        "actor": actor.pk,
        "kind": "comment",
        "date_from": "2026-03-01",
    }


def test_audit_filters_come_back_from_json_as_the_audit_log_takes_them():
    organization = OrganizationFactory()
    actor = UserFactory()

    assert audit_filters_from_json(
        {
            "organization": organization.pk,
            "actor": actor.pk,
            "kind": "comment",
            "date_from": "2026-03-01",
            "date_to": "2026-03-31",
        }
    ) == {
        "organization": organization,
        "actor": actor,
        "kind": "comment",
        "date_from": date(2026, 3, 1),
        "date_to": date(2026, 3, 31),
    }
    assert audit_filters_from_json({}) == {
        "organization": None,
        "actor": None,
        "kind": "",
        "date_from": None,
        "date_to": None,
    }


def test_an_export_file_is_named_after_its_job_in_the_private_folder(exports_dir):
    job = _audit_job()

    assert export_file_path(job) == exports_dir / f"{job.pk}.csv"


def test_a_requested_export_is_queued_with_a_short_description_and_an_expiry(
    exports_dir, django_capture_on_commit_callbacks
):
    user = UserFactory()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        job = export_job_request(
            kind=ExportJob.Kind.AUDIT, filters={"kind": "comment"}, requested_by=user, description="d" * 301
        )
    after = timezone.now()

    job = ExportJob.objects.get(pk=job.pk)
    assert (job.kind, job.filters, job.requested_by, job.status) == (
        "audit",
        {"kind": "comment"},
        user,
        ExportJob.Status.QUEUED,
    )
    assert job.description == "d" * 300
    assert before + timedelta(hours=3) <= job.expires_at <= after + timedelta(hours=3)


def test_an_export_the_broker_refused_is_failed_finished_and_logged(
    exports_dir, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from surveys import tasks

    def broker_down(**kwargs):
        raise ConnectionError("Connection refused.")

    monkeypatch.setattr(tasks.export_job_run_task, "delay", broker_down)
    other = _audit_job()  # queued earlier, and still owed to the worker
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_request(kind=ExportJob.Kind.AUDIT, filters={}, requested_by=UserFactory())

    job.refresh_from_db()
    assert job.description == ""
    assert ExportJob.objects.get(pk=other.pk).status == ExportJob.Status.QUEUED
    assert (job.status, job.error) == (
        ExportJob.Status.FAILED,
        "The background worker could not be reached. Try again in a few minutes.",
    )
    assert before <= job.finished_at <= timezone.now()
    assert caplog.messages == [f"Could not queue export {job.pk}."]


def test_a_broker_error_after_a_worker_took_the_job_leaves_the_job_to_the_worker(
    exports_dir, django_capture_on_commit_callbacks, monkeypatch
):
    from surveys import tasks

    def sent_then_failed(*, job_id):
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.RUNNING)
        raise ConnectionError("Connection reset by peer.")

    monkeypatch.setattr(tasks.export_job_run_task, "delay", sent_then_failed)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_request(kind=ExportJob.Kind.AUDIT, filters={}, requested_by=UserFactory())

    job.refresh_from_db()
    assert (job.status, job.error, job.finished_at) == (ExportJob.Status.RUNNING, "", None)


def test_the_queued_task_is_given_the_job_id_as_text(
    exports_dir, django_capture_on_commit_callbacks, monkeypatch
):
    from surveys import tasks

    sent = []
    monkeypatch.setattr(tasks.export_job_run_task, "delay", lambda **kwargs: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_request(kind=ExportJob.Kind.AUDIT, filters={}, requested_by=UserFactory())

    assert sent == [{"job_id": str(job.pk)}]


def test_an_export_job_writes_the_filtered_events_and_finishes(exports_dir):
    organization = OrganizationFactory(name="Heron Chat")
    _comments(3, organization=organization)
    _comments(2)
    job = _audit_job(filters={"organization": organization.pk}, status=ExportJob.Status.QUEUED)
    before = timezone.now()

    returned = export_job_run(job_id=job.pk)

    after = timezone.now()
    path = exports_dir / f"{job.pk}.csv"
    rows = _csv_rows(path)
    assert rows[0] == [
        "when",
        "event",
        "organization",
        "year",
        "user",
        "subject",
        "old value",
        "new value",
        "note",
    ]
    assert [(row[1], row[2], row[5]) for row in rows[1:]] == [
        ("Comment", "Heron Chat", "event-0002"),
        ("Comment", "Heron Chat", "event-0001"),
        ("Comment", "Heron Chat", "event-0000"),
    ]
    assert not path.with_suffix(".part").exists()
    assert (returned.status, returned.rows_total, returned.rows_done, returned.size, returned.error) == (
        ExportJob.Status.DONE,
        3,
        3,
        len(path.read_bytes()),
        "",
    )
    assert before <= returned.finished_at <= after
    assert before + timedelta(hours=3) <= returned.expires_at <= after + timedelta(hours=3)


def test_an_export_job_reads_the_log_a_page_at_a_time(exports_dir):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _comments(5)
    job = _audit_job()

    with CaptureQueriesContext(connection) as queries:
        export_job_run(job_id=job.pk, rows_per_query=2)

    reads = [query["sql"] for query in queries if 'FROM "surveys_auditevent"' in query["sql"]]
    assert len(reads) == 4  # the count, then pages of 2, 2 and 1 events
    assert len(_csv_rows(exports_dir / f"{job.pk}.csv")) == 6


def test_a_finished_export_whose_file_is_there_is_not_written_again(exports_dir):
    _comments(2)
    job = _audit_job()
    export_job_run(job_id=job.pk)
    path = exports_dir / f"{job.pk}.csv"
    path.write_bytes(b"kept as it is")
    _comments(1)

    export_job_run(job_id=job.pk)

    assert path.read_bytes() == b"kept as it is"
    assert ExportJob.objects.get(pk=job.pk).rows_done == 2


def test_a_failed_or_lost_export_run_again_is_written_afresh(exports_dir):
    _comments(2)
    failed = _audit_job(status=ExportJob.Status.FAILED, error="The export failed: earlier.")
    lost = _audit_job()
    export_job_run(job_id=lost.pk)
    (exports_dir / f"{lost.pk}.csv").unlink()
    _comments(1)

    for job in (failed, lost):
        rerun = export_job_run(job_id=job.pk)
        assert (rerun.status, rerun.rows_total, rerun.rows_done, rerun.error) == (
            ExportJob.Status.DONE,
            3,
            3,
            "",
        )
        assert len(_csv_rows(exports_dir / f"{job.pk}.csv")) == 4


def test_an_export_run_again_counts_its_progress_from_nought(exports_dir, monkeypatch):
    from surveys import selectors_staff

    _comments(3)
    job = _audit_job(
        status=ExportJob.Status.FAILED, rows_total=9, rows_done=7, error="The export failed: earlier."
    )
    seen = []
    read = selectors_staff.audit_events_iter

    def watched(events, **kwargs):
        seen.append(
            ExportJob.objects.values_list("status", "rows_total", "rows_done", "error").get(pk=job.pk)
        )
        yield from read(events, **kwargs)

    monkeypatch.setattr(selectors_staff, "audit_events_iter", watched)

    export_job_run(job_id=job.pk)

    assert seen == [("running", 3, 0, "")]


# The file is written 1,000 rows at a time; a progress report is due once PROGRESS_EVERY lines (the header is
# the first) have been written since the last one. The last report is the job's end.
@pytest.mark.parametrize(
    "every, reports",
    [(1001, [0, 1000]), (1200, [0, 2000])],
    ids=["every-1001-lines", "every-1200-lines"],
)
def test_an_export_job_reports_its_progress_every_so_many_rows(exports_dir, monkeypatch, every, reports):
    from surveys import selectors_staff

    monkeypatch.setattr(exports, "PROGRESS_EVERY", every)
    _comments(2500)
    job = _audit_job()
    seen = []
    read = selectors_staff.audit_events_iter

    def watched(events, **kwargs):
        for row in read(events, **kwargs):
            state = ExportJob.objects.values_list("status", "rows_total", "rows_done").get(pk=job.pk)
            if not seen or seen[-1] != state:
                seen.append(state)
            yield row

    monkeypatch.setattr(selectors_staff, "audit_events_iter", watched)

    export_job_run(job_id=job.pk, rows_per_query=700)

    assert seen == [("running", 2500, done) for done in reports]
    assert ExportJob.objects.get(pk=job.pk).rows_done == 2500


def test_an_export_that_fails_while_reading_says_why_and_leaves_no_file(exports_dir, monkeypatch):
    from surveys import selectors_staff

    _comments(3)
    job = _audit_job()

    def broken(events, **kwargs):
        yield from list(events[:2])
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors_staff, "audit_events_iter", broken)
    before = timezone.now()

    with pytest.raises(RuntimeError):
        export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == (ExportJob.Status.FAILED, "The export failed: the database went away")
    assert before <= job.finished_at <= timezone.now()
    assert list(exports_dir.iterdir()) == []


def test_a_worker_stopped_mid_export_leaves_only_a_part_file_that_the_purge_removes(exports_dir, monkeypatch):
    from surveys import selectors_staff

    _comments(3)
    job = _audit_job()

    def stopped(events, **kwargs):
        yield from list(events[:2])
        raise SystemExit("time limit")  # what a hard time limit looks like: no `except Exception` runs

    monkeypatch.setattr(selectors_staff, "audit_events_iter", stopped)
    with pytest.raises(SystemExit):
        export_job_run(job_id=job.pk)

    assert [path.name for path in exports_dir.iterdir()] == [f"{job.pk}.part"]
    assert export_jobs_purge(now=job.expires_at) == 1
    assert list(exports_dir.iterdir()) == []


def test_an_export_folder_that_cannot_be_made_fails_with_the_reason_in_words(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the exports folder should be")
    settings.EXPORTS_DIR = blocker / "exports"
    job = _audit_job()

    with pytest.raises(OSError):
        export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == (
        ExportJob.Status.FAILED,
        "The export file could not be written (Not a directory). Ask whoever runs the site to check the"
        " EXPORTS_DIR folder: the worker must be able to write there.",
    )


def test_purging_deletes_the_expired_jobs_and_their_files_and_keeps_the_rest(exports_dir):
    now = timezone.now()
    exports_dir.mkdir(parents=True)
    expired = _audit_job(expires_at=now - timedelta(minutes=1))
    due = _audit_job(expires_at=now)
    kept = _audit_job(expires_at=now + timedelta(seconds=1))
    for job in (expired, due, kept):
        (exports_dir / f"{job.pk}.csv").write_text("a,b\r\n")
    (exports_dir / f"{expired.pk}.part").write_text("a,")
    _audit_job(expires_at=now - timedelta(hours=1), status=ExportJob.Status.FAILED)  # no file at all

    assert export_jobs_purge(now=now) == 3

    assert list(ExportJob.objects.all()) == [kept]
    assert sorted(path.name for path in exports_dir.iterdir()) == [f"{kept.pk}.csv"]
    assert export_jobs_purge(now=now) == 0


def test_purging_without_a_time_uses_the_present(exports_dir):
    _audit_job(expires_at=timezone.now() - timedelta(seconds=1))
    _audit_job(expires_at=timezone.now() + timedelta(hours=1))

    assert export_jobs_purge() == 1
