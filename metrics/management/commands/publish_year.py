from django.core.management.base import BaseCommand, CommandError

from metrics.services import PublishError, release_check, release_preview, release_publish, release_warnings


class Command(BaseCommand):
    help = "Publish a year's current figures as a new release (disclosure control applies)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--note", default="", help="Why this release is made (required to republish).")
        parser.add_argument(
            "--override-reason",
            default="",
            help="Publish although the respondents differ from the previous release by fewer than "
            "MIN_PUBLISHED_COUNT organisations; say why (recorded in the corrections log).",
        )
        parser.add_argument(
            "--interim",
            action="store_true",
            help="Publish while the year's survey is still open: labelled interim everywhere.",
        )

    def handle(self, *args, year, note, override_reason, interim, **options):
        changed = [row for row in release_preview(year=year) if row.changed]
        for warning in release_warnings(year=year, respondents=release_check(year=year).respondents):
            self.stderr.write(f"Warning: {warning}")
        try:
            release = release_publish(
                year=year, published_by=None, note=note, override_reason=override_reason, interim=interim
            )
        except PublishError as error:
            raise CommandError(str(error)) from error
        for row in changed:
            self.stdout.write(f"  {row.code}: {row.previous_display} → {row.display}")
        suppressed = release.values.filter(suppressed=True).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {year} as release {release.number}{' (interim)' if release.is_interim else ''}: {release.values.count()} figures, "
                f"{suppressed} withheld (fewer than {release.min_published_count}), {len(changed)} changed."
            )
        )
