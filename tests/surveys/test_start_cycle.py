import datetime

import pytest
from django.core.management import CommandError, call_command

from surveys.models import SurveyCycle

from ..factories import OptionFactory, QuestionFactory, SurveyCycleFactory

pytestmark = pytest.mark.django_db


def test_start_cycle_copies_the_latest_questionnaire(capsys):
    source = SurveyCycleFactory(year=2025)
    question = QuestionFactory(
        section__cycle=source, cycle=source, code="image_hashing", type="multiple_choice"
    )
    OptionFactory(question=question, code="photodna")

    call_command("start_cycle", "2027", "--opens", "2027-10-01", "--closes", "2027-12-15")

    cycle = SurveyCycle.objects.get(year=2027)
    assert (cycle.opens_on, cycle.closes_on) == (datetime.date(2027, 10, 1), datetime.date(2027, 12, 15))
    copied = cycle.questions.get(code="image_hashing")
    assert list(copied.options.values_list("code", flat=True)) == ["photodna"]
    assert "1 questions copied from 2025" in capsys.readouterr().out


def test_start_cycle_refuses_an_existing_year_and_bad_dates():
    SurveyCycleFactory(year=2025)
    with pytest.raises(CommandError, match="already exists"):
        call_command("start_cycle", "2025", "--opens", "2025-10-01", "--closes", "2025-12-15")
    with pytest.raises(CommandError, match="close on or after"):
        call_command("start_cycle", "2028", "--opens", "2028-10-01", "--closes", "2028-01-15")


def test_start_cycle_without_any_survey_says_what_to_do():
    with pytest.raises(CommandError, match="load_questionnaire"):
        call_command("start_cycle", "2027", "--opens", "2027-10-01", "--closes", "2027-12-15")
