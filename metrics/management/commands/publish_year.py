from django.core.management.base import BaseCommand, CommandError

from metrics.services import PublishError, release_check, release_preview, release_publish, release_warnings


class Command(BaseCommand):
    help = "Publish a year's current figures as a new release (disclosure control applies)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--note", default="", help="Staff note: why this release is made (internal).")
        parser.add_argument(
            "--public-note",
            default=None,
            help="The corrections log's public note (required to republish; defaults to --note). Never name a "
            "member.",
        )
        parser.add_argument(
            "--override-reason",
            default="",
            help="Publish although some combination of the year's releases would single out fewer than "
            "MIN_PUBLISHED_COUNT organisations; say why (kept in the staff record).",
        )
        parser.add_argument(
            "--interim",
            action="store_true",
            help="Publish while the year's survey is still open: labelled interim everywhere.",
        )

    def handle(self, *args, year, note, public_note, override_reason, interim, **options):
        changed = [row for row in release_preview(year=year) if row.changed]
        for warning in release_warnings(year=year, respondents=release_check(year=year).respondents):
            self.stderr.write(f"Warning: {warning}")
        try:
            release = release_publish(
                year=year,
                published_by=None,
                note=note,
                public_note=public_note,
                override_reason=override_reason,
                interim=interim,
            )
        except PublishError as error:
            raise CommandError(str(error)) from error
        for row in changed:
            self.stdout.write(f"  {row.code}: {row.previous_display} → {row.display}")
        suppressed = release.values.filter(suppressed=True).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {year} as release {release.number}{' (interim)' if release.is_interim else ''}: {release.values.count()} figures, "
                f"{suppressed} withheld (after the audit), {len(changed)} changed."
            )
        )
