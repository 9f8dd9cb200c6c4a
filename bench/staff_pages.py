#!/usr/bin/env python
"""Benchmark: the staff pages and exports at 1,000 and 10,000 member organisations, beside a trivial view.

Builds a throwaway PostgreSQL database on the server of $DATABASE_URL (named by $BENCH_DATABASE_NAME, else
`<database of DATABASE_URL>_staff_bench`; dropped WITH (FORCE) first and at the end, so never name a shared
one) straight from the models, loads the 2025 questionnaire and the milepost catalogue, and bulk-loads (COPY,
as bench/recompute.py does) organisations with one 2025 submission each (a quarter each draft, submitted,
returned and approved) and `--events-per-org` audit events per organisation (INSERT … SELECT over
generate_series: 100 per organisation is 1 million events at 10,000).

Then, for each size, it requests every staff page in-process (Django's test client, logged in as an
administrator with a verified second factor, production settings: DEBUG off) and prints the median time of
`--repeat` requests, the query count, the bytes of the response and the growth of the process's peak memory
(VmHWM, reset before each request) next to `/healthz`. Exports are read to the end; their "first byte" is the
time until the first chunk. The audit export is a background job: the request only queues it, so the job's
own run (what the Celery worker does) and the download of its file are timed apart.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/milepost_h16 .venv/bin/python bench/staff_pages.py
        [--sizes 1000 10000] [--events-per-org 100] [--repeat 5] [--skip audit-export] [--keep]

Targets at 10,000 organisations: every page ≤ 200 ms median and ≤ 150 KB, queries the same at every size;
exports' first byte ≤ 1 s and ≤ 50 MB of peak memory growth in the web process.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway_db import (  # noqa: E402
    bench_database_name,
    database_url,
    recreate_database,
    schema_from_models,
)

PAGE_MS, PAGE_KB, FIRST_BYTE_MS, EXPORT_MB = 200, 150, 1000, 50


def setup_django(url: str, name: str, workdir: Path) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url(url, name),
            "DJANGO_SETTINGS_MODULE": "coalition.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "CACHE_DIR": str(workdir / "cache"),
            "EXPORTS_DIR": str(workdir / "exports"),
            "LOG_LEVEL": "ERROR",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # Queued jobs go to an in-memory broker; the benchmark runs the job itself, as a worker would.
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django
    from django.conf import settings

    django.setup()
    # Production settings, but the static files are not collected: plain static URLs.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    schema_from_models()


# --- Building the data ----------------------------------------------------------------------------------

STATUSES = ["draft", "submitted", "returned", "approved"]
AUDIT_SQL = """
INSERT INTO surveys_auditevent
    (kind, submission_id, organization_id, actor_id, subject, old_value, new_value, note, created_at)
SELECT
    (ARRAY['answer_changed','answer_changed','answer_changed','milepost_changed','transition','comment'])
        [1 + (g + s.id) %% 6],
    s.id, s.organization_id, CASE WHEN g %% 3 = 0 THEN %(actor)s END,
    (ARRAY['image_hashing','supplemental_reports','trust_safety_staff','sbd_review_process'])[1 + g %% 4],
    CASE WHEN g %% 2 = 0 THEN '["photodna"]'::jsonb ELSE '{"value": 12, "unit": "people"}'::jsonb END,
    '["photodna", "pdq"]'::jsonb,
    CASE WHEN g %% 10 = 0 THEN 'Benchmark note, with a comma' ELSE '' END,
    now() - make_interval(secs => ((s.id * %(per)s + g) * 7)::double precision)
FROM surveys_submission s CROSS JOIN generate_series(1, %(per)s) g
WHERE s.id > %(after)s
"""


def grow(cycle, *, size: int, events_per_org: int, actor_id: int) -> None:
    """Add organisations (with submissions, answers, mileposts) and audit events up to `size`."""
    from django.db import connection
    from recompute import load

    from surveys.models import Organization, Submission

    have = Organization.objects.count()
    if size <= have:
        return
    last_submission = Submission.objects.order_by("-id").values_list("id", flat=True).first() or 0
    load(cycle, approved=size - have, drafts=0, seed=size)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_submission SET status = (%s::text[])[1 + id %% 4],"
            " submitted_at = CASE WHEN id %% 4 > 0 THEN now() - make_interval(mins => id::int) END"
            " WHERE id > %s",
            [STATUSES, last_submission],
        )
        started = time.perf_counter()
        cursor.execute(AUDIT_SQL, {"actor": actor_id, "per": events_per_org, "after": last_submission})
        print(f"  {cursor.rowcount:,} audit events in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        cursor.execute("ANALYZE")


# --- Measuring ------------------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM, the peak resident size, to the current size


def measure(fn, repeat: int) -> dict:
    """Median time, first-byte time, queries, bytes and peak memory growth of `fn()` → response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, first_bytes, growths = [], [], []
    status, queries, size = None, 0, 0
    for _ in range(repeat):
        _reset_peak()
        before = _status_kb("VmRSS")
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = fn()
            first = None
            if response.streaming:
                size = 0
                for chunk in response.streaming_content:
                    if first is None:
                        first = time.perf_counter() - started
                    size += len(chunk)
            else:
                size = len(response.content)
            elapsed = time.perf_counter() - started
            response.close()
        growths.append((_status_kb("VmHWM") - before) / 1024)
        times.append(elapsed)
        first_bytes.append(first if first is not None else elapsed)
        status, queries = response.status_code, len(captured)
    return {
        "status": status,
        "ms": statistics.median(times) * 1000,
        "first_ms": statistics.median(first_bytes) * 1000,
        "queries": queries,
        "kb": size / 1024,
        "mb": max(growths),
    }


def staff_client():
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from surveys.models import User

    user = User.objects.get(email="bench-admin@example.org")
    device = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})[0]
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def run(size: int, *, repeat: int, skip: set[str]) -> list[tuple]:
    from django.urls import NoReverseMatch, reverse

    from surveys.models import AuditEvent, Organization

    client = staff_client()
    some_org = Organization.objects.order_by("name")[size // 2]
    pages = [
        ("/healthz (trivial)", lambda: client.get("/healthz")),
        ("review queue", lambda: client.get(reverse("surveys:review-queue"))),
        (
            "review queue, search",
            lambda: client.get(reverse("surveys:review-queue"), {"status": "", "q": "member 12"}),
        ),
        ("participation", lambda: client.get(reverse("surveys:participation"), {"year": 2025})),
        ("audit log", lambda: client.get(reverse("surveys:audit-log"))),
        (
            "audit log, one organisation",
            lambda: client.get(reverse("surveys:audit-log"), {"organization": some_org.pk}),
        ),
        ("invitation form", lambda: client.get(reverse("surveys:invitation-create"))),
        ("administration overview", lambda: client.get(reverse("surveys:staff-overview"))),
    ]
    try:
        search = reverse("surveys:organization-search")
        pages.append(("organisation search (JSON)", lambda: client.get(search, {"q": "member 12"})))
    except NoReverseMatch:
        pass
    rows = []
    for label, fn in pages:
        rows.append(("page", label, measure(fn, repeat)))
        print(f"  {label}: {rows[-1][2]['ms']:.0f} ms", file=sys.stderr)
    if "answers-export" not in skip:
        answers = reverse("surveys:answers-export", args=[2025])
        rows.append(("export", "answers export CSV (2025)", measure(lambda: client.get(answers), 1)))
    if "audit-export" not in skip:
        rows.extend(audit_export(client, events=AuditEvent.objects.count()))
    return rows


def audit_export(client, *, events: int) -> list[tuple]:
    """The whole audit log as CSV: in the request (old code) or queued, run by the worker, downloaded."""
    from django.urls import NoReverseMatch, reverse

    label = f"audit export CSV ({events:,} events)"
    try:
        reverse("surveys:export-detail", args=["00000000-0000-0000-0000-000000000000"])
    except NoReverseMatch:
        return [("export", label + ", in the request", measure(lambda: client.get("/staff/audit.csv"), 1))]
    from surveys.models import ExportJob
    from surveys.services.exports import export_job_run

    queued = measure(lambda: client.post(reverse("surveys:audit-export")), 1)
    job = ExportJob.objects.latest("created_at")
    worker = measure(lambda: _Done(export_job_run(job_id=job.pk)), 1)
    download = reverse("surveys:export-download", args=[job.pk])
    return [
        ("export", "audit export: queue the job (web)", queued),
        ("job", f"{label}: the job (worker)", worker),
        ("export", "audit export: download the file (web)", measure(lambda: client.get(download), 1)),
    ]


class _Size:
    def __init__(self, size: int):
        self.size = size

    def __len__(self) -> int:
        return self.size


class _Done:
    """What `measure` needs from a job run (not a request): its file's size as the "content"."""

    streaming = False
    status_code = "-"

    def __init__(self, job):
        self.content = _Size(job.size or 0)

    def close(self):
        pass


def report(size: int, rows: list[tuple]) -> None:
    print(f"\n{size:,} organisations")
    print(f"{'':<46}{'status':>7}{'median':>10}{'1st byte':>10}{'queries':>9}{'size':>11}{'peak +MB':>10}")
    for kind, label, r in rows:
        flags = []
        if kind == "page" and "trivial" not in label and size >= 10_000:
            flags += ["slow"] if r["ms"] > PAGE_MS else []
            flags += ["big"] if r["kb"] > PAGE_KB else []
        if kind == "export":
            flags += ["late"] if r["first_ms"] > FIRST_BYTE_MS else []
            flags += ["memory"] if r["mb"] > EXPORT_MB else []
        print(
            f"{label:<46}{r['status']!s:>7}{r['ms']:>8.0f}ms{r['first_ms']:>8.0f}ms{r['queries']:>9}"
            f"{r['kb']:>8.0f} KB{r['mb']:>10.1f}  {' '.join(flags) or 'ok' if kind != 'job' else ''}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--events-per-org", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip", nargs="*", default=[], choices=["answers-export", "audit-export"])
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/milepost")
    name = bench_database_name(url, "staff_bench")
    recreate_database(url, name)
    workdir = Path(tempfile.mkdtemp(prefix="milepost-staff-bench-"))
    try:
        setup_django(url, name, workdir)
        from surveys.models import SurveyCycle, User
        from surveys.services.questionnaires import milepost_catalogue_load, questionnaire_load

        milepost_catalogue_load(path_or_data=ROOT / "surveys" / "questionnaires" / "mileposts.yaml")
        questionnaire_load(path_or_data=ROOT / "surveys" / "questionnaires" / "2025.yaml")
        cycle = SurveyCycle.objects.get(year=2025)
        admin = User.objects.create_user(
            "bench-admin@example.org", "x", staff_role=User.StaffRole.ADMINISTRATOR, is_staff=True
        )
        print(f"Benchmark database {name}.", file=sys.stderr)
        for size in sorted(args.sizes):
            print(f"Building {size:,} organisations…", file=sys.stderr)
            grow(cycle, size=size, events_per_org=args.events_per_org, actor_id=admin.pk)
            report(size, run(size, repeat=args.repeat, skip=set(args.skip)))
        print(
            f"\nTargets at 10,000: pages ≤ {PAGE_MS} ms and ≤ {PAGE_KB} KB, queries equal at every size;"
            f" exports first byte ≤ {FIRST_BYTE_MS} ms, peak memory growth ≤ {EXPORT_MB} MB."
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(url, name, drop_only=True)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
