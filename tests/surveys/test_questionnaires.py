import datetime

import pytest
import yaml
from django.core.management import CommandError, call_command

from surveys.models import Answer, Milepost, Option, Question, Section, SurveyCycle
from surveys.services.answers import section_save, submission_start
from surveys.services.questionnaires import (
    QuestionnaireError,
    cycle_copy,
    milepost_catalogue_load,
    questionnaire_export,
    questionnaire_load,
)
from tests.factories import QUESTIONNAIRES, OrganizationFactory

pytestmark = pytest.mark.django_db


def shipped() -> dict:
    return yaml.safe_load((QUESTIONNAIRES / "2025.yaml").read_text())


def question(data: dict, code: str) -> dict:
    return next(q for s in data["sections"] for q in s["questions"] if q["code"] == code)


def test_loading_the_shipped_questionnaire_creates_sections_questions_options_and_conditions():
    report = questionnaire_load(path_or_data=QUESTIONNAIRES / "2025.yaml")

    cycle = SurveyCycle.objects.get(year=2025)
    assert report.cycle_created
    assert list(cycle.sections.values_list("code", flat=True)) == [
        "profile",
        "prevention",
        "detection",
        "response",
        "transparency",
    ]
    assert cycle.questions.count() == 24
    hashed = Question.objects.get(cycle=cycle, code="internal_hashing_shared")
    assert (hashed.condition_question.code, hashed.condition_operator, hashed.condition_value) == (
        "image_hashing",
        "includes",
        "internal",
    )
    assert Option.objects.filter(
        question__cycle=cycle, question__code="image_hashing", code="photodna"
    ).exists()
    assert (cycle.opens_on, cycle.closes_on) == (datetime.date(2025, 9, 1), datetime.date(2025, 12, 15))


def test_loading_twice_changes_nothing():
    questionnaire_load(path_or_data=QUESTIONNAIRES / "2025.yaml")

    report = questionnaire_load(path_or_data=QUESTIONNAIRES / "2025.yaml")

    assert not report.changed
    assert report.lines()[-1] == "Nothing changed."


def test_reloading_updates_wording_and_adds_questions_and_options():
    questionnaire_load(path_or_data=QUESTIONNAIRES / "2025.yaml")
    data = shipped()
    question(data, "deterrence")["text"] = "Which deterrence measures did you use?"
    question(data, "deterrence")["options"].insert(0, {"code": "nudges", "label": "Safety nudges"})
    data["sections"][1]["questions"].append({"code": "safety_team", "type": "yes_no", "text": "Team?"})

    report = questionnaire_load(path_or_data=data)

    assert report.questions_updated == ["deterrence"]
    assert report.questions_added == ["safety_team"]
    assert report.options_added == ["deterrence.nudges"]
    deterrence = Question.objects.get(code="deterrence")
    assert deterrence.text == "Which deterrence measures did you use?"
    assert list(deterrence.options.values_list("code", flat=True))[0] == "nudges"


def _answered_submission(cycle):
    submission = submission_start(organization=OrganizationFactory(), cycle=cycle)
    section_save(
        submission=submission,
        section=Section.objects.get(cycle=cycle, code="detection"),
        actor=None,
        data={"image_hashing": ["photodna"]},
        base_versions={},
    )
    return submission


def test_reloading_refuses_to_remove_or_retype_an_answered_question(open_cycle):
    _answered_submission(open_cycle)
    data = shipped()
    detection = data["sections"][2]
    detection["questions"] = [
        q for q in detection["questions"] if q["code"] not in ("image_hashing", "internal_hashing_shared")
    ]

    with pytest.raises(
        QuestionnaireError, match="`image_hashing` already has answers, so it cannot be removed"
    ):
        questionnaire_load(path_or_data=data)

    data = shipped()
    question(data, "image_hashing").update(type="short_text", options=None)
    question(data, "internal_hashing_shared").pop("condition")
    with pytest.raises(QuestionnaireError, match="cannot change type from multiple_choice to short_text"):
        questionnaire_load(path_or_data=data)
    assert Question.objects.get(code="image_hashing").type == "multiple_choice"


def test_reloading_refuses_to_remove_an_answered_option_but_removes_unanswered_ones(open_cycle):
    _answered_submission(open_cycle)
    data = shipped()
    question(data, "image_hashing")["options"] = [
        o for o in question(data, "image_hashing")["options"] if o["code"] != "photodna"
    ]
    with pytest.raises(QuestionnaireError, match="Option `photodna` of question `image_hashing`"):
        questionnaire_load(path_or_data=data)

    data = shipped()
    question(data, "image_hashing")["options"] = [
        o for o in question(data, "image_hashing")["options"] if o["code"] != "pdq"
    ]
    data["sections"][0]["questions"] = [
        q for q in data["sections"][0]["questions"] if q["code"] != "trust_safety_staff"
    ]
    report = questionnaire_load(path_or_data=data)
    assert report.options_removed == ["image_hashing.pdq"]
    assert report.questions_removed == ["trust_safety_staff"]
    assert Answer.objects.filter(question__code="image_hashing").exists()


def test_an_invalid_file_is_refused_with_every_problem_named():
    data = shipped()
    question(data, "minimum_age")["condition"] = {"question": "later_question", "equals": "yes"}
    question(data, "deterrence")["type"] = "checkboxes"

    with pytest.raises(QuestionnaireError) as error:
        questionnaire_load(path_or_data=data)

    assert "must name an earlier question, not `later_question`" in str(error.value)
    assert "type `checkboxes` is not one of" in str(error.value)
    assert not SurveyCycle.objects.exists()


def test_copying_a_cycle_copies_sections_questions_options_and_conditions(open_cycle):
    copy = cycle_copy(
        source=open_cycle,
        year=2026,
        opens_on=datetime.date(2026, 10, 1),
        closes_on=datetime.date(2026, 12, 18),
    )

    assert copy.title == "Annual survey 2026"
    exported, original = questionnaire_export(cycle=copy), questionnaire_export(cycle=open_cycle)
    assert exported["sections"] == original["sections"]
    assert Question.objects.get(cycle=copy, code="minimum_age").condition_question.cycle == copy
    with pytest.raises(QuestionnaireError, match="already exists"):
        cycle_copy(source=open_cycle, year=2026, opens_on=copy.opens_on, closes_on=copy.closes_on)


def test_milepost_catalogue_load_upserts_by_code():
    count = milepost_catalogue_load(path_or_data=QUESTIONNAIRES / "mileposts.yaml")
    Milepost.objects.filter(code="sbd_review_process").update(title="Old title")

    assert milepost_catalogue_load(path_or_data=QUESTIONNAIRES / "mileposts.yaml") == count
    assert 30 <= Milepost.objects.count() == count <= 40
    assert Milepost.objects.get(code="sbd_review_process").title != "Old title"
    assert set(Milepost.objects.values_list("area", flat=True)) == {"prevention", "detection", "response"}


def test_load_questionnaire_command_prints_changes_and_errors_without_traceback(tmp_path, capsys):
    call_command(
        "load_questionnaire",
        str(QUESTIONNAIRES / "2025.yaml"),
        "--mileposts",
        str(QUESTIONNAIRES / "mileposts.yaml"),
        "--opens",
        "2025-09-01",
        "--closes",
        "2025-12-15",
    )
    out = capsys.readouterr().out
    assert "Survey 2025: created." in out
    assert "Questions added (24)" in out

    call_command("load_questionnaire", str(QUESTIONNAIRES / "2025.yaml"))
    assert "Nothing changed." in capsys.readouterr().out

    broken = tmp_path / "broken.yaml"
    broken.write_text("year: 2025\nsections: [")
    with pytest.raises(CommandError, match="is not valid YAML"):
        call_command("load_questionnaire", str(broken))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_questionnaire", str(tmp_path / "missing.yaml"))
