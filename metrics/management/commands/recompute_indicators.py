import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from metrics.models import IndicatorValue
from metrics.services import indicators_recompute, years_due
from metrics.services.publishing import public_display
from surveys.models import SurveyCycle


class Command(BaseCommand):
    help = "Recompute a year's indicators from its approved submissions now, and print what changed."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="Survey years, e.g. 2025.")
        parser.add_argument(
            "--due",
            action="store_true",
            help="Every year marked as needing a recompute, plus open and recent ones.",
        )

    def handle(self, *args, years, due, **options):
        known = set(SurveyCycle.objects.values_list("year", flat=True)) | set(
            IndicatorValue.objects.values_list("year", flat=True).distinct()
        )
        if unknown := sorted(set(years) - known):
            raise CommandError(
                f"There is no survey and no imported figures for {', '.join(map(str, unknown))}. "
                f"Known years: {', '.join(map(str, sorted(known))) or 'none yet'}."
            )
        years = sorted(set(years) | (set(years_due()) if due else set()))
        if not years:
            self.stderr.write("Name a year (e.g. `recompute_indicators 2025`) or pass --due.")
            sys.exit(2)
        for year in tqdm(years, desc="Recomputing", unit="year", file=sys.stderr, disable=len(years) < 2):
            report = indicators_recompute(year=year)
            for change in report.changes:
                old = public_display(change.old, suppressed=False, exists=change.old is not None)
                new = public_display(change.new, suppressed=False, exists=change.new is not None)
                self.stdout.write(f"  {change.code}: {old} → {new}")
            self.stdout.write(self.style.SUCCESS(report.summary()))
        self.stdout.write("Computed values are not public until the year is published (publish_year).")
