"""Benchmark the CSV import: ~100,000 rows (4,167 organisations × 24 questions) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/milepost_b .venv/bin/python bench/import_responses.py

Builds a throwaway database (`<name>_bench`, schema from the models), loads the 2025 questionnaire under
its own year, generates the CSV, imports it with `responses_import` (creating the organisations) and prints
rows per second; then imports the same file again (replacing every answer) and drops the database.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=4167)
    parser.add_argument("--questions", type=int, default=24)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from throwaway_db import migrations_off

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    # Build the schema from the models, like the tests (`--no-migrations`), in a database of its own.
    migrations_off()
    connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"] + "_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args):
    import yaml

    from surveys.models import Question
    from surveys.services import imports
    from surveys.services.questionnaires import milepost_catalogue_load, questionnaire_load

    data = yaml.safe_load((ROOT / "surveys" / "questionnaires" / "2025.yaml").read_text())
    milepost_catalogue_load(path_or_data=ROOT / "surveys" / "questionnaires" / "mileposts.yaml")
    questionnaire_load(path_or_data={**data, "year": 2090, "title": "Benchmark"})
    questions = list(
        Question.objects.filter(cycle__year=2090)
        .prefetch_related("options")
        .order_by("section__position", "position")[: args.questions]
    )
    if len(questions) < args.questions:
        sys.exit(f"The questionnaire has only {len(questions)} questions.")

    def value(question, n):
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
            case _:
                return f"Answer {n}"

    path = Path(tempfile.mkdtemp()) / "responses.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("organization,year,question,value\n")
        for n in range(args.organizations):
            for question in questions:
                handle.write(f"Benchmark Member {n:05},2090,{question.code},{value(question, n)}\n")
    text = path.read_text(encoding="utf-8")
    rows = args.organizations * len(questions)
    print(
        f"{rows:,} rows, {args.organizations:,} organisations × {len(questions)} questions ({path.stat().st_size / 1e6:.1f} MB)"
    )

    for label, create in (
        ("first import (creates organisations)", True),
        ("re-import (replaces answers)", False),
    ):
        started = time.perf_counter()
        result = imports.responses_import(
            text=text, create_organizations=create, source=path.name, progress=True
        )
        elapsed = time.perf_counter() - started
        print(
            f"{label}: {elapsed:.1f}s, {rows / elapsed:,.0f} rows/s "
            f"({result.answers:,} answers, {result.submissions_created:,} new submissions)"
        )
    started = time.perf_counter()
    imports.responses_parse(text=text)
    elapsed = time.perf_counter() - started
    print(f"validation only (--dry-run): {elapsed:.1f}s, {rows / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
