"""Benchmark the CSV import on PostgreSQL: peak memory on a large file, and set-based approval speed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<your db> .venv/bin/python bench/import_responses.py

The database name comes from $DATABASE_URL: the bench builds a throwaway `<name>_bench` beside it (schema from
the models), loads the 2025 questionnaire under its own year, and then:

1. writes a ~50 MB file of ~530,000 rows (22,084 organisations × 24 questions), checks it (`--dry-run`) and
   imports it (creating the organisations) with `manage.py import_responses` in a child process, printing each
   run's time and peak resident memory (target: ≤ 300 MB; the import reads the file line by line and writes
   in chunks, so memory stays flat in the file's size);
2. imports a complete file of 2,000 new organisations with `--approve` in this process and prints the time and
   the number of queries (target: under 5 s: approval is set-based, not one transition at a time).

The database is dropped at the end. `--rows` and `--approve-organizations` scale both parts down for a quick run.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")

YEAR = 2090
TEXT = (
    "We review every new feature for risks to children before launch, with a named owner, a written "
    "assessment and a sign-off by the trust and safety lead; findings are tracked to closure. "
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=530_000, help="Rows of the large file (default 530,000).")
    parser.add_argument("--approve-organizations", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from throwaway_db import migrations_off

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    migrations_off()
    connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"] + "_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args, bench_name=connection.settings_dict["NAME"])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _value(question, n: int) -> str:
    codes = [o.code for o in question.options.all() if o.code != "none"]
    match question.type:
        case "yes_no":
            return "yes" if n % 3 else "no"
        case "integer":
            return str(max(question.min_value or 0, min(question.max_value or 1000, n % 500)))
        case "single_choice":
            return codes[n % len(codes)]
        case "multiple_choice":
            return ";".join(sorted({codes[n % len(codes)], codes[(n * 7) % len(codes)]}))
        case "short_text":
            return f"Answer {n}"
        case _:
            return f'"{TEXT}{n}"'


def _write(path: Path, questions, organizations: int, prefix: str) -> int:
    rows = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("organization,year,question,value\n")
        for n in range(organizations):
            for question in questions:
                handle.write(f"{prefix} {n:06},{YEAR},{question.code},{_value(question, n)}\n")
                rows += 1
    return rows


def _child(args: list[str], bench_name: str) -> tuple[float, float, str]:
    """Run manage.py in a child process on the bench database: (seconds, peak RSS in MB, last output line)."""
    from throwaway_db import database_url

    env = {**os.environ, "DATABASE_URL": database_url(os.environ["DATABASE_URL"], bench_name)}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_responses", *args, "--no-progress"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"import_responses {' '.join(args)} failed:\n{output[-3000:]}")
    # ru_maxrss is in kilobytes on Linux.
    return elapsed, usage.ru_maxrss / 1024, output.strip().splitlines()[0] if output.strip() else ""


def run(args, *, bench_name: str):
    import yaml
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.models import Question, User
    from surveys.services import imports, workflow
    from surveys.services.questionnaires import milepost_catalogue_load, questionnaire_load

    data = yaml.safe_load((ROOT / "surveys" / "questionnaires" / "2025.yaml").read_text())
    milepost_catalogue_load(path_or_data=ROOT / "surveys" / "questionnaires" / "mileposts.yaml")
    questionnaire_load(path_or_data={**data, "year": YEAR, "title": "Benchmark"})
    questions = list(
        Question.objects.filter(cycle__year=YEAR)
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
    directory = Path(tempfile.mkdtemp())

    # 1. Memory on a large file.
    organizations = max(1, args.rows // len(questions))
    big = directory / "responses.csv"
    rows = _write(big, questions, organizations, "Benchmark Member Organisation")
    size = big.stat().st_size / 1e6
    print(
        f"Large file: {rows:,} rows, {organizations:,} organisations × {len(questions)} questions, {size:.1f} MB"
    )
    for label, flags in (
        ("check only (--dry-run)", ["--dry-run", "--create-organizations"]),
        ("import (creates organisations)", ["--create-organizations"]),
        ("re-import (every answer unchanged)", []),
    ):
        elapsed, peak, _ = _child([str(big), *flags], bench_name)
        print(f"  {label}: {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s, peak memory {peak:,.0f} MB")
    big.unlink()

    # 2. Set-based approval.
    reviewer = User.objects.create_user(email="bench-reviewer@example.org", staff_role="reviewer")
    small = directory / "approve.csv"
    rows = _write(small, questions, args.approve_organizations, "Approval Member")
    # Time the approval step on its own too: the import around it scales with the rows, approval with the
    # organisations.
    approval = {}
    real_approve = workflow.submissions_submit_and_approve

    def timed_approve(**kwargs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as approval_queries:
            approved = real_approve(**kwargs)
        approval.update(seconds=time.perf_counter() - started, queries=len(approval_queries))
        return approved

    workflow.submissions_submit_and_approve = timed_approve
    try:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            with open(small, "rb") as handle:
                result = imports.responses_import(
                    file=handle, actor=reviewer, approve=True, create_organizations=True, source=small.name
                )
            elapsed = time.perf_counter() - started
    finally:
        workflow.submissions_submit_and_approve = real_approve
    print(
        f"Import with --approve: {result.approved:,} organisations ({rows:,} rows) imported and approved in "
        f"{elapsed:.1f} s, {len(queries):,} queries (target: under 5 s); of which the set-based submit and "
        f"approve step: {approval['seconds']:.2f} s, {approval['queries']} queries"
    )
    print(f"Load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    small.unlink()
    directory.rmdir()


if __name__ == "__main__":
    main()
