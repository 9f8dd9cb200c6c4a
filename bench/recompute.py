#!/usr/bin/env python
"""Benchmark: recompute a year's indicators against a plain scan of the answers table.

Creates a throwaway PostgreSQL database on the server of $DATABASE_URL (named by $BENCH_DATABASE_NAME, else
`<database of DATABASE_URL>_recompute_bench`; dropped WITH (FORCE) first, so never name a shared one), builds the schema
from the models, loads the full 2025 questionnaire and milepost catalogue, and bulk-loads (COPY) approved
submissions with answers and mileposts plus drafts that must not count. Then it times the full recompute
and `SELECT count(*)` over the answers (and answer-options) tables and prints the ratio (target: ≤ 3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/milepost .venv/bin/python bench/recompute.py [--sizes 10000 100000] [--floor]

With --floor it also builds, in the same database, the cheapest recount we could design and times it beside
the real one: a lower bound for any recount, whatever the schema.

The database is dropped at the end unless --keep is given.
"""

import argparse
import os
import random
import statistics
import sys
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


def setup_django(url: str, name: str) -> None:
    os.environ["DATABASE_URL"] = database_url(url, name)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
    import django

    django.setup()
    schema_from_models()


def _copy(cursor, model, columns: list[str], rows) -> int:
    table = model._meta.db_table
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def load(cycle, *, approved: int, drafts: int, seed: int = 1) -> None:
    """COPY `approved` approved and `drafts` draft submissions of `cycle`'s full questionnaire."""
    from django.db import connection
    from django.utils import timezone
    from tqdm import tqdm

    from surveys.models import (
        Answer,
        Milepost,
        Option,
        Organization,
        Question,
        Submission,
        SubmissionMilepost,
    )

    rng = random.Random(seed)
    now = timezone.now()
    questions = list(Question.objects.filter(cycle=cycle).order_by("section__position", "position"))
    options = {q.id: list(Option.objects.filter(question=q).values_list("id", "code")) for q in questions}
    mileposts = list(Milepost.objects.values_list("id", flat=True))
    total = approved + drafts
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor underneath, for COPY
        first_org = (Organization.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        org_rows = (
            (first_org + i, f"Bench member {first_org + i}", f"bench-member-{first_org + i}", "", True, now)
            for i in range(total)
        )
        _copy(cursor, Organization, ["id", "name", "slug", "website", "is_active", "created_at"], org_rows)
        first_sub = (Submission.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        sub_rows = (
            (first_sub + i, first_org + i, cycle.id, "approved" if i < approved else "draft", now, now)
            for i in range(total)
        )
        _copy(
            cursor,
            Submission,
            ["id", "organization_id", "cycle_id", "status", "created_at", "updated_at"],
            sub_rows,
        )

        answer_id = (Answer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        through = Answer.options.through
        answer_columns = ["id", "submission_id", "question_id", "value_bool", "value_int", "value_text",
                          "is_visible", "provenance", "version", "updated_at"]  # fmt: skip
        answers, chosen, advanced = [], [], []
        progress = tqdm(total=total, desc=f"Generating {total:,} submissions", unit="sub", file=sys.stderr)

        def flush():
            _copy(cursor, Answer, answer_columns, answers)
            _copy(cursor, through, ["answer_id", "option_id"], chosen)
            _copy(cursor, SubmissionMilepost, ["submission_id", "milepost_id", "description", "provenance",
                                               "updated_at"], advanced)  # fmt: skip
            answers.clear(), chosen.clear(), advanced.clear()

        for i in range(total):
            submission_id = first_sub + i
            for question in questions:
                visible = not question.has_condition or rng.random() < 0.5
                value_bool = value_int = None
                value_text = ""
                if question.type == "yes_no":
                    value_bool = rng.random() < 0.6
                elif question.type == "integer":
                    value_int = rng.randint(0, 500)
                elif question.type in ("short_text", "long_text"):
                    value_text = "Benchmark answer."
                else:
                    codes = options[question.id]
                    real = [o for o in codes if o[1] != "none"]
                    if question.type == "single_choice":
                        picks = [rng.choice(codes)]
                    elif rng.random() < 0.1:
                        picks = [o for o in codes if o[1] == "none"] or real[:1]
                    else:
                        picks = rng.sample(real, rng.randint(1, max(1, len(real) // 2)))
                    chosen.extend((answer_id, option_id) for option_id, _ in picks)
                answers.append((answer_id, submission_id, question.id, value_bool, value_int, value_text,
                                visible, "new", 1, now))  # fmt: skip
                answer_id += 1
            for milepost_id in rng.sample(mileposts, rng.randint(0, min(10, len(mileposts)))):
                advanced.append((submission_id, milepost_id, "Benchmark milepost.", "new", now))
            if len(answers) >= 200_000:
                flush()
            progress.update()
        flush()
        progress.close()
        for model in (Organization, Submission, Answer, through, SubmissionMilepost):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(label: str) -> dict:
    from django.db import connection, transaction

    from metrics.services import indicators_recompute
    from surveys.models import Answer

    def scan(table):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {table}")
                return cursor.fetchone()[0]

        return run

    answers_table = Answer._meta.db_table
    options_table = Answer.options.through._meta.db_table
    scan(answers_table)(), scan(options_table)()  # warm the cache, as for the recompute below
    with transaction.atomic():
        indicators_recompute(year=2025)
    result = {
        "label": label,
        "answers": scan(answers_table)(),
        "answer_options": scan(options_table)(),
        "scan_answers": _time(scan(answers_table)),
        "scan_answer_options": _time(scan(options_table)),
        "recompute": _time(lambda: indicators_recompute(year=2025)),
    }
    result["ratio"] = result["recompute"] / result["scan_answers"]
    return result


# The cheapest recount we could design, built beside the real tables in the same database: only the visible
# answers that can count, one row each, ticked options packed into a bit mask, a covering index, and parallel
# plans forced. It is a lower bound (no hidden or text answers, no milepost areas or distinct members, no
# writing), measured to show how far below the real recompute any recount can go.
FLOOR_SETUP = [
    "DROP TABLE IF EXISTS bench_floor_answer",
    """CREATE TABLE bench_floor_answer AS
       SELECT a.submission_id, a.question_id, a.value_bool, coalesce(ticked.bits, 0) AS option_bits
       FROM surveys_answer a
       LEFT JOIN (SELECT ao.answer_id, bit_or(1::bigint << o.position) AS bits
                  FROM surveys_answer_options ao JOIN surveys_option o ON o.id = ao.option_id
                  GROUP BY ao.answer_id) ticked ON ticked.answer_id = a.id
       WHERE a.is_visible AND (ticked.bits IS NOT NULL OR a.value_bool)""",
    "CREATE INDEX ON bench_floor_answer (submission_id) INCLUDE (question_id, option_bits, value_bool)",
    "VACUUM ANALYZE bench_floor_answer",
    "VACUUM ANALYZE surveys_submissionmilepost",
]
FLOOR_SETTINGS = [
    "SET LOCAL parallel_setup_cost = 0",
    "SET LOCAL parallel_tuple_cost = 0",
    "SET LOCAL min_parallel_index_scan_size = 0",
    "SET LOCAL min_parallel_table_scan_size = 0",
]
FLOOR_ANSWERS = """
    SELECT f.question_id, f.option_bits, f.value_bool, count(*)
    FROM bench_floor_answer f JOIN surveys_submission s ON s.id = f.submission_id
    WHERE s.cycle_id = %s AND s.status = 'approved'
    GROUP BY 1, 2, 3"""
FLOOR_MILEPOSTS = """
    SELECT sm.milepost_id, count(*)
    FROM surveys_submissionmilepost sm JOIN surveys_submission s ON s.id = sm.submission_id
    WHERE s.cycle_id = %s AND s.status = 'approved'
    GROUP BY 1"""


def measure_floor(cycle_id: int) -> dict:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        for statement in FLOOR_SETUP:
            cursor.execute(statement)

    def timed(sql):
        def run():
            with transaction.atomic(), connection.cursor() as cursor:
                for setting in FLOOR_SETTINGS:
                    cursor.execute(setting)
                cursor.execute(sql, [cycle_id])
                return cursor.fetchall()

        run()
        return _time(run)

    return {"floor_answers": timed(FLOOR_ANSWERS), "floor_mileposts": timed(FLOOR_MILEPOSTS)}


def report(result: dict) -> None:
    print(
        f"\n{result['label']}: {result['answers']:,} answers, {result['answer_options']:,} answer options\n"
        f"  SELECT count(*) answers          {result['scan_answers'] * 1000:8.1f} ms\n"
        f"  SELECT count(*) answer options   {result['scan_answer_options'] * 1000:8.1f} ms\n"
        f"  full recompute of the year       {result['recompute'] * 1000:8.1f} ms\n"
        f"  recompute / answers scan         {result['ratio']:8.2f}×  (target ≤ 3×: "
        f"{'met' if result['ratio'] <= 3 else 'MISSED'})"
    )
    if "floor_answers" in result:
        floor = result["floor_answers"] + result["floor_mileposts"]
        print(
            "  cheapest recount we could design (lower bound: bit-packed options, covering index, parallel):\n"
            f"    answers pass                     {result['floor_answers'] * 1000:8.1f} ms\n"
            f"    mileposts pass                   {result['floor_mileposts'] * 1000:8.1f} ms\n"
            f"    floor / answers scan             {floor / result['scan_answers']:8.2f}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--floor", action="store_true", help="Also time the cheapest recount we could design (a lower bound)."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/milepost")
    name = bench_database_name(url, "recompute_bench")
    recreate_database(url, name)
    try:
        setup_django(url, name)
        from surveys.models import SurveyCycle
        from surveys.services.questionnaires import milepost_catalogue_load, questionnaire_load

        milepost_catalogue_load(path_or_data=ROOT / "surveys" / "questionnaires" / "mileposts.yaml")
        questionnaire_load(path_or_data=ROOT / "surveys" / "questionnaires" / "2025.yaml")
        cycle = SurveyCycle.objects.get(year=2025)
        loaded = 0
        for size in sorted(args.sizes):
            load(cycle, approved=size - loaded, drafts=(size - loaded) // 10, seed=size)
            loaded = size
            result = measure(f"{size:,} approved submissions (+{size // 10:,} drafts)")
            if args.floor:
                result |= measure_floor(cycle.id)
            report(result)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(url, name, drop_only=True)


if __name__ == "__main__":
    main()
