from django.core.management.base import BaseCommand, CommandError

from metrics.services import HistoryImportError, published_figures_import


class Command(BaseCommand):
    help = (
        "Import figures published before raw responses were kept (CSV: year,indicator,value,denominator,note; "
        "an empty denominator means it was not published). Refuses years with approved submissions."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--year", type=int, action="append", dest="years", help="Import only this year.")

    def handle(self, *args, path, years, **options):
        try:
            report = published_figures_import(path=path, years=years)
        except HistoryImportError as error:
            raise CommandError(str(error)) from error
        for code in report.created_definitions:
            self.stdout.write(f"  new indicator definition: {code} (edit its label in the admin)")
        self.stdout.write(self.style.SUCCESS(report.summary()))
        self.stdout.write("Imported figures are public once the year is published (publish_year YEAR).")
