from django.core.management.base import BaseCommand, CommandError

from metrics.services import PublishError, release_preview, release_publish


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

    def handle(self, *args, year, note, public_note, override_reason, **options):
        changed = [row for row in release_preview(year=year) if row.changed]
        try:
            release = release_publish(
                year=year,
                published_by=None,
                note=note,
                public_note=public_note,
                override_reason=override_reason,
            )
        except PublishError as error:
            raise CommandError(str(error)) from error
        for row in changed:
            self.stdout.write(f"  {row.code}: {row.previous_display} → {row.display}")
        suppressed = release.values.filter(suppressed=True).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {year} as release {release.number}: {release.values.count()} figures, "
                f"{suppressed} withheld (after the audit), {len(changed)} changed."
            )
        )
