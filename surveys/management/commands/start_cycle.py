from django.core.management.base import BaseCommand, CommandError

from surveys.models import SurveyCycle
from surveys.services.questionnaires import QuestionnaireError, cycle_copy

from .load_questionnaire import _date


class Command(BaseCommand):
    help = "Start a new year's survey with a copy of an earlier year's questionnaire (sections, questions, options)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="The new survey year, e.g. 2027")
        parser.add_argument("--from", dest="source", type=int, help="Year to copy; default the latest survey")
        parser.add_argument("--opens", type=_date, required=True, help="Date the survey opens (YYYY-MM-DD)")
        parser.add_argument("--closes", type=_date, required=True, help="Date the survey closes (YYYY-MM-DD)")

    def handle(self, *args, year, source=None, opens, closes, **options):
        cycles = SurveyCycle.objects.order_by("-year")
        source_cycle = cycles.filter(year=source).first() if source else cycles.first()
        if source_cycle is None:
            raise CommandError(
                f"There is no {source} survey to copy."
                if source
                else "There is no survey to copy yet: load one with `manage.py load_questionnaire PATH`."
            )
        if closes < opens:
            raise CommandError("The survey must close on or after the day it opens.")
        try:
            cycle = cycle_copy(source=source_cycle, year=year, opens_on=opens, closes_on=closes)
        except QuestionnaireError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{cycle.title}: {cycle.questions.count()} questions copied from {source_cycle.year}, "
                f"open {opens:%d %B %Y} to {closes:%d %B %Y}. Change the wording with load_questionnaire."
            )
        )
