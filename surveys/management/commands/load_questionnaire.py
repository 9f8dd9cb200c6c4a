import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from surveys.services.questionnaires import QuestionnaireError, milepost_catalogue_load, questionnaire_load


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "Load (or reload) a year's questionnaire from a YAML file, and optionally the milepost catalogue. "
        "Idempotent; refuses changes that would lose answers."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Questionnaire YAML file, e.g. surveys/questionnaires/2025.yaml")
        parser.add_argument("--mileposts", help="Milepost catalogue YAML file to load as well")
        parser.add_argument(
            "--opens", type=_date, help="Date the survey opens (YYYY-MM-DD); default 1 September"
        )
        parser.add_argument(
            "--closes", type=_date, help="Date the survey closes (YYYY-MM-DD); default 15 December"
        )

    def handle(self, *args, path, mileposts=None, opens=None, closes=None, **options):
        try:
            # One transaction: a questionnaire that cannot be loaded leaves the catalogue as it was too.
            with transaction.atomic():
                if mileposts:
                    count = milepost_catalogue_load(path_or_data=mileposts)
                    self.stdout.write(f"Milepost catalogue: {count} mileposts loaded from {mileposts}.")
                report = questionnaire_load(path_or_data=path, cycle_opens_on=opens, cycle_closes_on=closes)
        except QuestionnaireError as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Done."))
