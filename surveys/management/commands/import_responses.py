"""Import submissions from a CSV file: `manage.py import_responses PATH.csv [--dry-run] [--replace] [--approve]`."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.models import User
from surveys.services import imports
from surveys.services.workflow import TransitionError


class Command(BaseCommand):
    help = (
        "Import answers from a CSV file with the columns organization,year,question,value (UTF-8, header row; "
        "organization is the organisation's name). Everything is checked first; if any row is invalid, every "
        "problem is listed and nothing is imported. Answers the file does not mention are kept unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and say what would change; write nothing."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove the answers and mileposts the file does not mention for each organisation it names.",
        )
        parser.add_argument(
            "--approve",
            action="store_true",
            help="Approve the imported submissions (each must be complete; the figures are recomputed).",
        )
        parser.add_argument(
            "--create-organizations", action="store_true", help="Create organisations that do not exist yet."
        )
        parser.add_argument("--user", help="E-mail of the staff member recorded as doing the import.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bars.")

    def handle(
        self, *args, path, dry_run, replace, approve, create_organizations, user, no_progress, **options
    ):
        actor = None
        if user:
            actor = User.objects.filter(email=user.lower()).first()
            if actor is None or not actor.is_reviewer:
                raise CommandError(f"{user} is not a coalition reviewer or administrator.")
        started = time.perf_counter()
        try:
            with open(path, "rb") as handle:
                result = imports.responses_import(
                    file=handle,
                    actor=actor,
                    approve=approve,
                    replace=replace,
                    create_organizations=create_organizations,
                    dry_run=dry_run,
                    source=Path(path).name,
                    progress=not no_progress,
                )
        except FileNotFoundError as error:
            raise CommandError(f"There is no file at {path}.") from error
        except imports.ImportRejected as error:
            for problem in error.problems:
                self.stderr.write(f"{path}:{problem.line}: {problem.message}")
            raise CommandError(
                f"{len(error.problems)} problem{'s' if len(error.problems) != 1 else ''} found; nothing was imported."
            ) from error
        except TransitionError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        summary = result.plan.summary()
        rows = result.plan.rows
        verb = "Would import" if dry_run else "Imported"
        untouched = f"{summary['removed']} removed" if replace else f"{summary['kept']} not in the file kept"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.answers} answers and {result.mileposts} mileposts from {rows} rows: "
                f"{summary['added']} added, {summary['changed']} changed, {summary['unchanged']} unchanged, "
                f"{untouched}; {result.submissions_created} new submissions, "
                f"{result.submissions_updated} updated, {result.organizations_created} new organisations"
                + (f", {result.approved} approved" if result.approved else "")
                + f" ({elapsed:.1f}s, {rows / elapsed if elapsed else 0:,.0f} rows/s)."
            )
        )
        for problem in imports.incomplete_problems(result.plan):
            self.stdout.write(f"{path}:{problem.line}: in draft: {problem.message}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written. Run again without --dry-run to import.")
