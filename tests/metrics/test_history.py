from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from metrics.models import IndicatorDefinition, IndicatorValue
from metrics.services import HistoryImportError, published_figures_import
from tests.factories import add_approved, build_cycle

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).resolve().parents[2] / "metrics" / "data" / "published-figures.csv"


def write(tmp_path, text):
    path = tmp_path / "figures.csv"
    path.write_text("year,indicator,value,denominator,note\n" + text, encoding="utf-8")
    return path


def test_import_stores_the_reference_history_as_imported_values():
    report = published_figures_import(path=REFERENCE, years=[2022, 2023])

    assert report.years == [2022, 2023] and report.values == 3
    values = {
        (v.year, v.indicator.code): (v.value, v.denominator, v.is_imported, v.note)
        for v in IndicatorValue.objects.select_related("indicator")
    }
    assert values[2022, "classifiers.image"] == (Decimal(13), None, True, "denominator not published")
    assert values[2023, "members"] == (Decimal(36), None, True, "members at year end")


def test_unknown_codes_get_a_definition_labelled_from_the_code_in_their_questions_area(tmp_path):
    build_cycle(2025)
    path = write(tmp_path, "2021,image_hashing.md5,3,,\n2021,age_checks,7,20,\n")

    report = published_figures_import(path=path)

    assert sorted(report.created_definitions) == ["age_checks", "image_hashing.md5"]
    md5 = IndicatorDefinition.objects.get(code="image_hashing.md5")
    assert (md5.kind, md5.area, md5.group, md5.label) == ("option_count", "detection", "image_hashing", "Md5")
    assert IndicatorDefinition.objects.get(code="age_checks").kind == "yes_count"


def test_import_is_refused_for_a_year_with_approved_submissions(tmp_path):
    add_approved(build_cycle(2025), 5)
    path = write(tmp_path, "2025,members,57,,\n")

    with pytest.raises(HistoryImportError, match="2025 already has approved submissions"):
        published_figures_import(path=path)
    assert not IndicatorValue.objects.exists()


def test_every_bad_line_is_reported_and_nothing_is_imported(tmp_path):
    path = write(
        tmp_path, "2021,members,36,,\nlast year,members,1,,\n2021,classifiers.image,many,,\n2021,x,1,lots,\n"
    )

    with pytest.raises(HistoryImportError) as error:
        published_figures_import(path=path)

    message = str(error.value)
    assert "line 3" in message and "line 4" in message and "line 5" in message
    assert not IndicatorValue.objects.exists()


def test_out_of_range_values_are_reported_as_bad_lines_not_a_crash(tmp_path):
    path = write(
        tmp_path,
        "-1,members,5,,\n99999999999,members,5,,\n2021,members,1e15,,\n2021,classifiers.image,5,99999999999,\n",
    )

    with pytest.raises(HistoryImportError) as error:
        published_figures_import(path=path)

    message = str(error.value)
    assert all(f"line {n}" in message for n in (2, 3, 4, 5)), message
    assert "not a four-digit year" in message
    assert not IndicatorValue.objects.exists()


def test_importing_twice_changes_nothing():
    published_figures_import(path=REFERENCE, years=[2022, 2023])
    first = set(IndicatorValue.objects.values_list("year", "indicator__code", "value"))

    published_figures_import(path=REFERENCE, years=[2022, 2023])

    assert set(IndicatorValue.objects.values_list("year", "indicator__code", "value")) == first


def test_import_command_reports_what_it_did(tmp_path, capsys):
    call_command("import_published_figures", str(REFERENCE), "--year", "2022")
    assert "Imported 2 published figures for 2022" in capsys.readouterr().out

    with pytest.raises(CommandError, match="missing: value"):
        bad = tmp_path / "bad.csv"
        bad.write_text("year,indicator\n2022,members\n", encoding="utf-8")
        call_command("import_published_figures", str(bad))
