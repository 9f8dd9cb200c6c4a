"""Tests for the demo answer generator and the shipped questionnaire / milepost YAML files.

No database: the generator works on the parsed YAML files.
"""

from __future__ import annotations

import copy
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # pragma: no cover - depends on how pytest is invoked
    sys.path.insert(0, str(REPO_ROOT))

from metrics.demo.reference import reference_rows, targets_from_reference  # noqa: E402
from surveys.demo import answer_generator  # noqa: E402
from surveys.demo.answer_generator import OrgAnswers, build_year  # noqa: E402

QUESTIONNAIRE_DIR = REPO_ROOT / "surveys" / "questionnaires"
QUESTIONNAIRE_2025 = QUESTIONNAIRE_DIR / "2025.yaml"
MILEPOSTS_YAML = QUESTIONNAIRE_DIR / "mileposts.yaml"
REFERENCE_CSV = REPO_ROOT / "metrics" / "data" / "published-figures.csv"

VALID_TYPES = {"yes_no", "single_choice", "multiple_choice", "integer", "short_text", "long_text"}
CHOICE_TYPES = {"single_choice", "multiple_choice"}
SECTION_ORDER = ["profile", "prevention", "detection", "response", "transparency"]
AREAS = {"prevention", "detection", "response"}
CATEGORIES_2024 = {
    "reporting",
    "transparency",
    "tooling_investigations",
    "wellness",
    "prevention",
    "detection",
    "user_reporting",
}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")

# The questions the published figures need: (section, type, option codes or None).
PUBLISHED_QUESTIONS = {
    "safety_by_design": (
        "prevention",
        "multiple_choice",
        {
            "formal_reviews",
            "risk_assessment_framework",
            "documented_ocsea_risks",
            "red_teaming",
            "age_based_restrictions",
            "parental_controls",
            "none",
        },
    ),
    "deterrence": (
        "prevention",
        "multiple_choice",
        {"public_policies", "at_risk_user_warnings", "victim_alerts", "none"},
    ),
    "age_assurance": (
        "prevention",
        "multiple_choice",
        {"self_declaration", "document_verification", "facial_analysis", "none"},
    ),
    "image_hashing": ("detection", "multiple_choice", {"photodna", "safer", "pdq", "internal", "none"}),
    "video_hashing": (
        "detection",
        "multiple_choice",
        {"safer", "csai_match", "photodna_video", "tmk_pdqf", "internal", "none"},
    ),
    "classifiers": (
        "detection",
        "multiple_choice",
        {"image", "video", "csa_text", "grooming", "sextortion", "none"},
    ),
    "enforcement_tools": (
        "response",
        "multiple_choice",
        {
            "account_suspension",
            "content_removal",
            "feature_restrictions",
            "network_device_limits",
            "account_reverification",
            "none",
        },
    ),
    "authority_reporting": (
        "response",
        "single_choice",
        {"api_and_manual", "api_only", "manual_only", "none"},
    ),
    "supplemental_reports": ("response", "yes_no", None),
    "trust_framework": (
        "transparency",
        "single_choice",
        {"fully_aligned", "partially_aligned", "not_aligned"},
    ),
}
# Questions where extra options are allowed beyond the published ones.
EXTENSIBLE = {"age_assurance"}


# --------------------------------------------------------------------------------------------------
# Helpers: independent of the generator's own counting / visibility code
# --------------------------------------------------------------------------------------------------


def load_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def all_questions(questionnaire: dict) -> list[dict]:
    return [q for s in questionnaire["sections"] for q in s["questions"]]


def options_of(question: dict) -> list[str]:
    return [o["code"] for o in question.get("options") or []]


def shown(question: dict, answers: dict) -> bool:
    cond = question.get("condition")
    if not cond:
        return True
    if cond["question"] not in answers:
        return False
    value = answers[cond["question"]]
    if "equals" in cond:
        if value is True or value is False:
            return ("yes" if value else "no") == cond["equals"]
        return value == cond["equals"]
    return cond["includes"] in value


def plain_count(results: dict[str, OrgAnswers], indicator: str) -> int:
    question, _, option = indicator.partition(".")
    total = 0
    for org in results.values():
        if question not in org.answers:
            continue
        value = org.answers[question]
        if not option:
            total += value is True
        elif isinstance(value, list):
            total += option in value
        else:
            total += value == option
    return total


def org_names(count: int) -> list[str]:
    return [f"Demo Member {i:02d}" for i in range(1, count + 1)]


@pytest.fixture(scope="module")
def questionnaire() -> dict:
    return load_yaml(QUESTIONNAIRE_2025)


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return load_yaml(MILEPOSTS_YAML)


@pytest.fixture(scope="module")
def codes_by_area(catalogue) -> dict[str, list[str]]:
    by_area: dict[str, list[str]] = {}
    for entry in catalogue["mileposts"]:
        by_area.setdefault(entry["area"], []).append(entry["code"])
    return by_area


@pytest.fixture(scope="module")
def targets_2025() -> dict[str, int]:
    return targets_from_reference(REFERENCE_CSV, 2025)


@pytest.fixture(scope="module")
def targets_2024() -> dict[str, int]:
    targets = targets_from_reference(REFERENCE_CSV, 2024)
    targets.update({"classifiers.image": 30, "classifiers.video": 21})
    return targets


def build(questionnaire, codes_by_area, targets, *, year, orgs, advanced, advancing, seed=None):
    return build_year(
        year=year,
        organizations=orgs,
        questionnaire=questionnaire,
        targets=targets,
        milepost_codes_by_area=codes_by_area,
        mileposts_advanced=advanced,
        members_advancing=advancing,
        seed=seed,
    )


@pytest.fixture(scope="module")
def year_2025(questionnaire, codes_by_area, targets_2025):
    return build(
        questionnaire, codes_by_area, targets_2025, year=2025, orgs=org_names(57), advanced=317, advancing=55
    )


@pytest.fixture(scope="module")
def year_2024(questionnaire, codes_by_area, targets_2024):
    return build(
        questionnaire, codes_by_area, targets_2024, year=2024, orgs=org_names(45), advanced=122, advancing=44
    )


# --------------------------------------------------------------------------------------------------
# The YAML files
# --------------------------------------------------------------------------------------------------


def test_questionnaire_yaml_is_well_formed(questionnaire):
    assert questionnaire["year"] == 2025
    assert questionnaire["title"].strip()
    assert questionnaire["intro"].strip()
    assert [s["code"] for s in questionnaire["sections"]] == SECTION_ORDER
    seen: dict[str, dict] = {}
    for section in questionnaire["sections"]:
        assert section["title"].strip() and section["description"].strip()
        assert section["questions"], section["code"]
        for question in section["questions"]:
            code = question["code"]
            assert SNAKE.match(code), code
            assert code not in seen, f"duplicate question code {code}"
            assert question["type"] in VALID_TYPES, code
            assert question["text"].strip(), code
            assert isinstance(question["required"], bool), f"{code}: write required explicitly"
            if question["type"] in CHOICE_TYPES:
                codes = options_of(question)
                assert len(codes) >= 2, code
                assert len(codes) == len(set(codes)), f"{code}: duplicate option codes"
                for option in question["options"]:
                    assert SNAKE.match(option["code"]), (code, option)
                    assert option["label"].strip(), (code, option)
            else:
                assert "options" not in question, f"{code}: options only on choice questions"
            if question["type"] == "integer":
                low, high = question.get("min"), question.get("max")
                if low is not None and high is not None:
                    assert low <= high, code
            else:
                assert "min" not in question and "max" not in question, code
            cond = question.get("condition")
            if cond:
                ref = seen.get(cond["question"])
                assert ref is not None, f"{code}: condition must reference an earlier question"
                assert set(cond) == {"question", "equals"} or set(cond) == {"question", "includes"}, code
                if "equals" in cond:
                    if ref["type"] == "yes_no":
                        assert cond["equals"] in {"yes", "no"}, code
                    else:
                        assert ref["type"] == "single_choice", code
                        assert cond["equals"] in options_of(ref), code
                else:
                    assert ref["type"] == "multiple_choice", code
                    assert cond["includes"] in options_of(ref), code
            seen[code] = question
    assert 20 <= len(seen) <= 26


def test_questionnaire_has_published_questions(questionnaire):
    section_of = {q["code"]: s["code"] for s in questionnaire["sections"] for q in s["questions"]}
    questions = {q["code"]: q for q in all_questions(questionnaire)}
    for code, (section, qtype, options) in PUBLISHED_QUESTIONS.items():
        question = questions[code]
        assert section_of[code] == section, code
        assert question["type"] == qtype, code
        assert question["required"] is True, code
        assert "condition" not in question, code
        if options is None:
            assert "options" not in question
        elif code in EXTENSIBLE:
            assert options <= set(options_of(question)), code
        else:
            assert set(options_of(question)) == options, code


def test_questionnaire_profile_questions(questionnaire):
    questions = {q["code"]: q for q in all_questions(questionnaire)}
    assert questions["minors_allowed"]["type"] == "yes_no"
    assert questions["minors_allowed"]["required"] is True
    minimum_age = questions["minimum_age"]
    assert minimum_age["type"] == "integer"
    assert (minimum_age["min"], minimum_age["max"]) == (0, 21)
    assert minimum_age["condition"] == {"question": "minors_allowed", "equals": "yes"}
    assert questions["internal_hashing_shared"]["condition"] == {
        "question": "image_hashing",
        "includes": "internal",
    }


def test_milepost_catalogue_is_well_formed(catalogue):
    entries = catalogue["mileposts"]
    assert 30 <= len(entries) <= 40
    codes = [e["code"] for e in entries]
    assert len(codes) == len(set(codes))
    for entry in entries:
        assert SNAKE.match(entry["code"]), entry
        assert entry["area"] in AREAS, entry
        assert entry["category_2024"] in CATEGORIES_2024, entry
        assert entry["title"].strip() and entry["description"].strip(), entry
    areas = Counter(e["area"] for e in entries)
    categories = Counter(e["category_2024"] for e in entries)
    assert all(areas[a] >= 9 for a in AREAS), areas
    assert all(categories[c] >= 2 for c in CATEGORIES_2024), categories


# --------------------------------------------------------------------------------------------------
# Reference CSV helpers
# --------------------------------------------------------------------------------------------------


def test_reference_rows_are_parsed():
    rows = reference_rows(REFERENCE_CSV)
    assert rows
    for row in rows:
        assert isinstance(row["year"], int) and isinstance(row["value"], int)
        assert row["denominator"] is None or isinstance(row["denominator"], int)
    members = {r["year"]: r["value"] for r in rows if r["indicator"] == "members"}
    assert members[2025] == 57 and members[2024] == 45
    photodna = next(r for r in rows if r["year"] == 2025 and r["indicator"] == "image_hashing.photodna")
    assert (photodna["value"], photodna["denominator"]) == (37, 57)


def test_targets_from_reference_excludes_non_answer_indicators(targets_2025):
    assert targets_2025["image_hashing.photodna"] == 37
    assert targets_2025["video_hashing.none"] == 13
    assert "members" not in targets_2025
    assert not any(code.startswith("mileposts.") for code in targets_2025)
    assert targets_from_reference(REFERENCE_CSV, 2024) == {"video_hashing.none": 17}


def test_reference_targets_only_use_questionnaire_codes(questionnaire):
    questions = {q["code"]: q for q in all_questions(questionnaire)}
    for row in reference_rows(REFERENCE_CSV):
        indicator = row["indicator"]
        if indicator == "members" or indicator.startswith("mileposts."):
            continue
        code, _, option = indicator.partition(".")
        assert code in questions, indicator
        if option:
            assert option in options_of(questions[code]), indicator
        else:
            assert questions[code]["type"] == "yes_no", indicator


# --------------------------------------------------------------------------------------------------
# Generated years
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year_fixture", "targets_fixture"), [("year_2025", "targets_2025"), ("year_2024", "targets_2024")]
)
def test_targets_are_reproduced_exactly(request, year_fixture, targets_fixture):
    results = request.getfixturevalue(year_fixture)
    targets = request.getfixturevalue(targets_fixture)
    assert targets
    for indicator, expected in targets.items():
        assert plain_count(results, indicator) == expected, indicator


def test_generator_counts_agree_with_plain_counts(year_2025, questionnaire):
    counts = answer_generator.count_indicators(year_2025, questionnaire)
    for indicator, value in counts.items():
        assert plain_count(year_2025, indicator) == value, indicator


@pytest.mark.parametrize("year_fixture", ["year_2025", "year_2024"])
def test_answers_are_valid_and_respect_visibility(request, questionnaire, year_fixture):
    results = request.getfixturevalue(year_fixture)
    questions = all_questions(questionnaire)
    known = {q["code"] for q in questions}
    for org, submission in results.items():
        answers = submission.answers
        assert set(answers) <= known, org
        earlier: dict = {}
        for question in questions:
            code = question["code"]
            visible = shown(question, earlier)
            if not visible:
                assert code not in answers, f"{org}: hidden question {code} answered"
                continue
            if question["required"]:
                assert code in answers, f"{org}: required question {code} unanswered"
            if code not in answers:
                continue
            value = answers[code]
            qtype = question["type"]
            if qtype == "yes_no":
                assert value is True or value is False, (org, code)
            elif qtype == "single_choice":
                assert value in options_of(question), (org, code)
            elif qtype == "multiple_choice":
                assert isinstance(value, list) and value, (org, code)
                assert value == sorted(set(value)), (org, code)
                assert set(value) <= set(options_of(question)), (org, code)
                assert "none" not in value or value == ["none"], f"{org}: 'none' combined in {code}"
            elif qtype == "integer":
                assert isinstance(value, int) and not isinstance(value, bool), (org, code)
                assert question.get("min", value) <= value <= question.get("max", value), (org, code)
            else:
                assert isinstance(value, str) and value.strip(), (org, code)
            earlier[code] = value


def test_conditional_questions_are_exercised(year_2025):
    minors = [o for o in year_2025.values() if o.answers["minors_allowed"]]
    no_minors = [o for o in year_2025.values() if not o.answers["minors_allowed"]]
    assert minors and no_minors
    assert all("minimum_age" in o.answers for o in minors)
    internal = [o for o in year_2025.values() if "internal" in o.answers["image_hashing"]]
    assert len(internal) == 17
    assert sum("internal_hashing_shared" in o.answers for o in year_2025.values()) == 17


def test_none_counts_are_plausible(year_2025, year_2024, questionnaire):
    for results in (year_2025, year_2024):
        n = len(results)
        for question in all_questions(questionnaire):
            if question["type"] == "multiple_choice" and "none" in options_of(question):
                indicator = f"{question['code']}.none"
                if indicator in ("video_hashing.none",):
                    continue
                assert plain_count(results, indicator) <= n // 4, indicator


@pytest.mark.parametrize(
    ("year_fixture", "orgs", "advanced", "advancing"),
    [("year_2025", 57, 317, 55), ("year_2024", 45, 122, 44)],
)
def test_mileposts_totals(request, codes_by_area, year_fixture, orgs, advanced, advancing):
    results = request.getfixturevalue(year_fixture)
    catalogue = {code for codes in codes_by_area.values() for code in codes}
    assert len(results) == orgs
    assert sum(len(o.mileposts) for o in results.values()) == advanced
    assert sum(1 for o in results.values() if o.mileposts) == advancing
    for submission in results.values():
        assert len(submission.mileposts) == len(set(submission.mileposts))
        assert set(submission.mileposts) <= catalogue


def test_everyone_advances_when_asked(questionnaire, codes_by_area, targets_2025):
    results = build(
        questionnaire, codes_by_area, targets_2025, year=2025, orgs=org_names(57), advanced=317, advancing=57
    )
    assert all(o.mileposts for o in results.values())
    assert sum(len(o.mileposts) for o in results.values()) == 317


def test_generation_is_deterministic(questionnaire, codes_by_area, targets_2025, year_2025):
    again = build(
        questionnaire, codes_by_area, targets_2025, year=2025, orgs=org_names(57), advanced=317, advancing=55
    )
    assert again == year_2025
    assert list(again) == org_names(57)
    other = build(
        questionnaire,
        codes_by_area,
        targets_2025,
        year=2025,
        orgs=org_names(57),
        advanced=317,
        advancing=55,
        seed=99,
    )
    assert other != year_2025
    for indicator, expected in targets_2025.items():
        assert plain_count(other, indicator) == expected, indicator


@pytest.mark.parametrize("seed", range(15))
def test_targets_hold_across_seeds(questionnaire, codes_by_area, targets_2025, targets_2024, seed):
    for targets, n, advanced, advancing in ((targets_2025, 57, 317, 57), (targets_2024, 45, 122, 44)):
        results = build(
            questionnaire,
            codes_by_area,
            targets,
            year=2025,
            orgs=org_names(n),
            advanced=advanced,
            advancing=advancing,
            seed=seed,
        )
        for indicator, expected in targets.items():
            assert plain_count(results, indicator) == expected, (seed, indicator)
        for submission in results.values():
            for value in submission.answers.values():
                if isinstance(value, list):
                    assert value and ("none" not in value or value == ["none"])


# --------------------------------------------------------------------------------------------------
# Tight and impossible targets on a small questionnaire
# --------------------------------------------------------------------------------------------------

SMALL = {
    "year": 2030,
    "sections": [
        {
            "code": "s",
            "questions": [
                {
                    "code": "tools",
                    "type": "multiple_choice",
                    "required": True,
                    "options": [{"code": c} for c in ("a", "b", "c", "none")],
                },
                {
                    "code": "follow_up",
                    "type": "yes_no",
                    "required": True,
                    "condition": {"question": "tools", "includes": "a"},
                },
                {
                    "code": "route",
                    "type": "single_choice",
                    "required": True,
                    "options": [{"code": c} for c in ("x", "y", "z")],
                },
                {"code": "flag", "type": "yes_no", "required": True},
            ],
        }
    ],
}


def small(targets, *, n=10, advanced=0, advancing=0, by_area=None, seed=1):
    return build_year(
        year=2030,
        organizations=org_names(n),
        questionnaire=SMALL,
        targets=targets,
        milepost_codes_by_area=by_area or {"prevention": ["m1", "m2"], "response": ["m3"]},
        mileposts_advanced=advanced,
        members_advancing=advancing,
        seed=seed,
    )


@pytest.mark.parametrize("seed", range(10))
def test_tight_none_target_covers_every_other_org(seed):
    targets = {"tools.none": 4, "tools.a": 2, "tools.b": 2, "tools.c": 2}
    results = small(targets, seed=seed)
    for indicator, expected in targets.items():
        assert plain_count(results, indicator) == expected
    assert all(len(o.answers["tools"]) == 1 for o in results.values())
    assert sum("follow_up" in o.answers for o in results.values()) == 2


def test_conditional_target_and_single_choice_fill():
    results = small({"tools.a": 6, "follow_up": 5, "route.x": 3, "route.y": 3, "flag": 0})
    assert plain_count(results, "follow_up") == 5
    assert sum("follow_up" in o.answers for o in results.values()) == 6
    assert plain_count(results, "route.z") == 4
    assert plain_count(results, "flag") == 0


def test_zero_none_target_forces_a_real_option_for_everyone():
    results = small({"tools.none": 0, "tools.a": 1})
    assert all(o.answers["tools"] != ["none"] for o in results.values())
    assert plain_count(results, "tools.a") == 1


@pytest.mark.parametrize(
    "targets",
    [
        {"tools.none": 5, "tools.a": 2, "tools.b": 1, "tools.c": 1},  # 5 orgs, only 4 real ticks
        {"tools.none": 5, "tools.a": 6},  # a needs more orgs than are left after none
        {"tools.a": 11},  # more than the organisations
        {"tools.a": 3, "follow_up": 4},  # follow_up is only shown to the 3 orgs with a
        {"route.x": 6, "route.y": 5},  # single choice over 100%
        {"route.x": 3, "route.y": 3, "route.z": 3},  # every option targeted but 1 org left over
        {"flag": 11},
        {"nope.a": 1},  # unknown question
        {"tools.d": 1},  # unknown option
        {"route": 1},  # bare code on a choice question
        {"flag.yes": 1},  # option on a yes/no question
        {"flag": -1},
    ],
)
def test_impossible_targets_raise(targets):
    with pytest.raises(ValueError):
        small(targets)


def test_impossible_targets_on_real_questionnaire_raise(questionnaire, codes_by_area):
    targets = {
        "video_hashing.none": 40,
        "video_hashing.safer": 5,
        "video_hashing.csai_match": 5,
        "video_hashing.photodna_video": 2,
        "video_hashing.tmk_pdqf": 2,
        "video_hashing.internal": 2,
    }
    with pytest.raises(ValueError, match="video_hashing"):
        build(questionnaire, codes_by_area, targets, year=2025, orgs=org_names(57), advanced=57, advancing=57)


@pytest.mark.parametrize(
    ("advanced", "advancing", "n"),
    [
        (3, 4, 10),  # fewer mileposts than advancing members
        (5, 11, 10),  # more advancing members than organisations
        (10, 3, 10),  # 3 members x 3 catalogue mileposts < 10
        (2, 0, 10),  # mileposts without advancing members
    ],
)
def test_impossible_milepost_figures_raise(advanced, advancing, n):
    with pytest.raises(ValueError):
        small({}, n=n, advanced=advanced, advancing=advancing)


def test_milepost_edge_cases():
    full = small({}, n=4, advanced=12, advancing=4)
    assert all(o.mileposts == ["m1", "m2", "m3"] for o in full.values())
    nobody = small({}, n=4, advanced=0, advancing=0)
    assert all(o.mileposts == [] for o in nobody.values())


def test_duplicate_organisations_raise():
    with pytest.raises(ValueError):
        build_year(
            year=2030,
            organizations=["A", "A"],
            questionnaire=SMALL,
            targets={},
            milepost_codes_by_area={"prevention": ["m1"]},
            mileposts_advanced=0,
            members_advancing=0,
        )


def test_inputs_are_not_mutated(questionnaire, codes_by_area, targets_2025):
    q_copy, t_copy, c_copy = copy.deepcopy(questionnaire), dict(targets_2025), copy.deepcopy(codes_by_area)
    build(
        questionnaire, codes_by_area, targets_2025, year=2025, orgs=org_names(57), advanced=317, advancing=55
    )
    assert (questionnaire, targets_2025, codes_by_area) == (q_copy, t_copy, c_copy)
