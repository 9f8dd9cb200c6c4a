"""Deterministic generator of demo survey answers that reproduce published figures exactly.

Plain Python on parsed YAML (the question types and the option `none` come from the models); it reads no
database. The answer counts to reproduce come from the caller (`metrics.demo.reference.answer_targets`).

The main entry point is :func:`build_year`. It takes a parsed questionnaire (``yaml.safe_load`` of
``surveys/questionnaires/<year>.yaml``), a list of organisation names and a dict of *targets* keyed by
indicator code, and returns one :class:`OrgAnswers` per organisation such that counting the answers
the way an indicator does reproduces every target exactly:

- ``QUESTION.OPTION``: number of organisations whose (visible) answer to choice question ``QUESTION``
  includes ``OPTION`` (for single choice: equals ``OPTION``);
- ``QUESTION``: number of organisations that answered yes to yes/no question ``QUESTION``.

Everything that is not targeted gets plausible random values from a seeded :class:`random.Random`,
so the same inputs always give the same output. Answers to questions whose ``condition`` is not met
are never present.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from ..answer_types import CHOICE_TYPES
from ..models import Option, Question

__all__ = [
    "CHOICE_TYPES",
    "QUESTION_TYPES",
    "OrgAnswers",
    "build_year",
    "count_indicators",
    "is_visible",
    "iter_questions",
    "catalogue_codes_by_area",
]

# The types this generator can answer: a new type needs its values here before a demo questionnaire uses it.
QUESTION_TYPES = frozenset(
    question_type.value
    for question_type in (
        Question.Type.YES_NO,
        Question.Type.SINGLE_CHOICE,
        Question.Type.MULTIPLE_CHOICE,
        Question.Type.INTEGER,
        Question.Type.SHORT_TEXT,
        Question.Type.LONG_TEXT,
    )
)

# Plausible share of organisations ticking an option when no target is given. Unknown options get a
# random share between 0.15 and 0.5.
_OPTION_RATES: dict[tuple[str, str], float] = {
    ("service_types", "social_media"): 0.45,
    ("service_types", "messaging"): 0.4,
    ("service_types", "live_streaming"): 0.3,
    ("service_types", "gaming"): 0.2,
    ("service_types", "file_hosting"): 0.2,
    ("service_types", "dating"): 0.08,
    ("service_types", "search"): 0.08,
    ("service_types", "marketplace"): 0.12,
    ("service_types", "infrastructure"): 0.1,
    ("service_types", "other"): 0.1,
    ("safety_by_design", "formal_reviews"): 0.75,
    ("safety_by_design", "risk_assessment_framework"): 0.6,
    ("safety_by_design", "documented_ocsea_risks"): 0.5,
    ("safety_by_design", "red_teaming"): 0.35,
    ("safety_by_design", "age_based_restrictions"): 0.5,
    ("safety_by_design", "parental_controls"): 0.4,
    ("deterrence", "public_policies"): 0.85,
    ("deterrence", "at_risk_user_warnings"): 0.3,
    ("deterrence", "victim_alerts"): 0.15,
    ("age_assurance", "self_declaration"): 0.75,
    ("age_assurance", "document_verification"): 0.4,
    ("age_assurance", "facial_analysis"): 0.3,
    ("age_assurance", "age_estimation_other"): 0.25,
    ("image_hashing", "photodna"): 0.65,
    ("image_hashing", "safer"): 0.35,
    ("image_hashing", "pdq"): 0.25,
    ("image_hashing", "internal"): 0.3,
    ("video_hashing", "safer"): 0.25,
    ("video_hashing", "csai_match"): 0.2,
    ("video_hashing", "photodna_video"): 0.18,
    ("video_hashing", "tmk_pdqf"): 0.12,
    ("video_hashing", "internal"): 0.15,
    ("classifiers", "image"): 0.65,
    ("classifiers", "video"): 0.5,
    ("classifiers", "csa_text"): 0.3,
    ("classifiers", "grooming"): 0.2,
    ("classifiers", "sextortion"): 0.15,
    ("enforcement_tools", "account_suspension"): 0.95,
    ("enforcement_tools", "content_removal"): 0.97,
    ("enforcement_tools", "feature_restrictions"): 0.6,
    ("enforcement_tools", "network_device_limits"): 0.35,
    ("enforcement_tools", "account_reverification"): 0.3,
}

# Relative weights for single-choice options that have no target (unknown options: 0.5..1.5).
_SINGLE_WEIGHTS: dict[tuple[str, str], float] = {
    ("authority_reporting", "manual_only"): 0.8,
    ("authority_reporting", "none"): 0.2,
    ("trust_framework", "not_aligned"): 1.0,
    ("company_size_band", "employees_under_50"): 0.8,
    ("company_size_band", "employees_50_249"): 1.2,
    ("company_size_band", "employees_250_999"): 1.2,
    ("company_size_band", "employees_1000_9999"): 1.0,
    ("company_size_band", "employees_10000_plus"): 0.7,
    ("messaging_encryption", "all_messaging"): 0.3,
    ("messaging_encryption", "some_messaging"): 0.6,
    ("messaging_encryption", "no_e2ee"): 1.0,
    ("messaging_encryption", "no_messaging"): 0.6,
}

# Single-choice questions whose options are ordered by "maturity": +1 when later options go with more
# mature organisations, -1 when earlier ones do. Counts stay exact; only who gets what is correlated.
_ORDINAL: dict[str, int] = {
    "company_size_band": +1,
    "authority_reporting": -1,
    "trust_framework": -1,
}

# Probability of "yes" for untargeted yes/no questions (unknown: 0.3..0.8).
_YES_RATES: dict[str, float] = {
    "minors_allowed": 0.65,
    "supplemental_reports": 0.6,
    "in_product_reporting": 0.85,
    "transparency_report_published": 0.6,
    "internal_hashing_shared": 0.5,
}
# Yes/no questions where "yes" goes with maturity.
_MATURITY_YES = frozenset(
    {
        "supplemental_reports",
        "in_product_reporting",
        "transparency_report_published",
        "internal_hashing_shared",
    }
)

# (question, option) -> (question, option) it usually comes with; boosts the weight of orgs that
# already have the latter. Options are assigned in descending count within a question, and questions
# in questionnaire order, so the partner is usually known first.
_AFFINITY: dict[tuple[str, str], tuple[str, str]] = {
    ("classifiers", "video"): ("classifiers", "image"),
    ("classifiers", "sextortion"): ("classifiers", "grooming"),
    ("video_hashing", "photodna_video"): ("image_hashing", "photodna"),
    ("video_hashing", "safer"): ("image_hashing", "safer"),
    ("video_hashing", "tmk_pdqf"): ("image_hashing", "pdq"),
    ("video_hashing", "internal"): ("image_hashing", "internal"),
    ("safety_by_design", "red_teaming"): ("safety_by_design", "formal_reviews"),
    ("safety_by_design", "documented_ocsea_risks"): ("safety_by_design", "risk_assessment_framework"),
    ("safety_by_design", "parental_controls"): ("safety_by_design", "age_based_restrictions"),
}

# Trust & safety head-count range by company size band.
_STAFF_BY_BAND: dict[str, tuple[int, int]] = {
    "employees_under_50": (0, 6),
    "employees_50_249": (2, 25),
    "employees_250_999": (5, 120),
    "employees_1000_9999": (25, 1500),
    "employees_10000_plus": (300, 20000),
}

_LONG_TEXTS = (
    "We expanded this work to two more of our services during the year.",
    "Most of our effort this year went into improving coverage of direct messages.",
    "We worked with an external expert organisation to review our approach.",
    "We are a small team, so we rely heavily on shared industry tools.",
    "This area is a priority for next year; a project is already under way.",
    "We measured the effect of the change and will share results with the coalition.",
)

# Share of organisations answering an optional question that has no target, by type.
_OPTIONAL_ANSWER_RATES = {"long_text": 0.3, "short_text": 0.8, "integer": 0.85}
_OPTIONAL_CHOICE_ANSWER_RATE = 0.95


@dataclass
class OrgAnswers:
    """One organisation's generated submission for a year.

    ``answers`` maps question code to value: ``bool`` for yes_no, option code for single_choice,
    sorted list of option codes for multiple_choice, ``int`` for integer, ``str`` for texts. Only
    visible questions can appear. ``mileposts`` is the sorted list of milepost codes advanced.
    """

    answers: dict[str, Any] = field(default_factory=dict)
    mileposts: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Questionnaire helpers
# --------------------------------------------------------------------------------------------------


def iter_questions(questionnaire: dict) -> list[dict]:
    """All questions of a parsed questionnaire, in order, across sections."""
    return [q for section in questionnaire.get("sections") or [] for q in section.get("questions") or []]


def _option_codes(question: dict) -> list[str]:
    return [str(o["code"]) for o in question.get("options") or []]


def _is_required(question: dict) -> bool:
    return bool(question.get("required", True))


def is_visible(question: dict, answers: dict[str, Any]) -> bool:
    """Whether ``question`` is shown given the answers so far (see the questionnaire schema).

    A condition on a question that was not answered (hidden, or optional and skipped) is not met.
    """
    condition = question.get("condition")
    if not condition:
        return True
    ref = condition["question"]
    if ref not in answers:
        return False
    value = answers[ref]
    if "equals" in condition:
        expected = condition["equals"]
        if isinstance(value, bool):
            return value == (str(expected).lower() in {"yes", "true"})
        return value == expected
    if "includes" in condition:
        return isinstance(value, list) and condition["includes"] in value
    raise ValueError(f"Question {question.get('code')!r}: condition needs 'equals' or 'includes'.")


def catalogue_codes_by_area(catalogue: dict | list) -> dict[str, list[str]]:
    """Group a parsed milepost catalogue (``{"mileposts": [...]}`` or the list) by area."""
    entries = catalogue["mileposts"] if isinstance(catalogue, dict) else catalogue
    by_area: dict[str, list[str]] = {}
    for entry in entries:
        by_area.setdefault(entry["area"], []).append(entry["code"])
    return by_area


def count_indicators(results: dict[str, OrgAnswers], questionnaire: dict) -> dict[str, int]:
    """Count every indicator (``QUESTION.OPTION`` for choices, ``QUESTION`` for yes/no) in results."""
    counts: dict[str, int] = {}
    for question in iter_questions(questionnaire):
        code, qtype = question["code"], question["type"]
        if qtype == "yes_no":
            counts[code] = sum(1 for org in results.values() if org.answers.get(code) is True)
        elif qtype in CHOICE_TYPES:
            for option in _option_codes(question):
                counts[f"{code}.{option}"] = sum(
                    1 for org in results.values() if _includes(org.answers.get(code), option)
                )
    return counts


def _includes(value: Any, option: str) -> bool:
    if isinstance(value, list):
        return option in value
    return value == option


# --------------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------------


def build_year(
    *,
    year: int,
    organizations: list[str],
    questionnaire: dict,
    targets: dict[str, int],
    milepost_codes_by_area: dict[str, list[str]],
    mileposts_advanced: int,
    members_advancing: int,
    seed: int | None = None,
) -> dict[str, OrgAnswers]:
    """Generate answers and advanced mileposts for every organisation in ``year``.

    Args:
        year: survey year (also the default seed).
        organizations: unique organisation names; the result keeps this order.
        questionnaire: parsed questionnaire YAML (``{"sections": [{"questions": [...]}]}``).
        targets: exact indicator counts, e.g. ``{"image_hashing.photodna": 37, "supplemental_reports": 40}``.
            ``QUESTION.OPTION`` for choice questions, bare ``QUESTION`` for yes/no (number of yes).
        milepost_codes_by_area: milepost catalogue codes grouped by area (see :func:`catalogue_codes_by_area`).
        mileposts_advanced: exact total of (organisation, milepost) pairs.
        members_advancing: exact number of organisations with at least one milepost.
        seed: random seed; defaults to ``year``.

    Returns:
        ``{organisation: OrgAnswers}``.

    Raises:
        ValueError: if the targets or milepost figures cannot be met (unknown codes, counts above the
            number of organisations who see the question, ``none`` combined with too few real options...).
    """
    orgs = list(organizations)
    if len(set(orgs)) != len(orgs):
        raise ValueError("Organisation names must be unique.")
    rng = random.Random(f"milepost-demo:{year if seed is None else seed}")
    questions = iter_questions(questionnaire)
    by_question = _split_targets(questions, targets)

    # A latent "maturity" per organisation makes answers hang together (mature orgs use more tools).
    maturity = {org: rng.betavariate(2.0, 2.0) for org in orgs}
    state = _State(rng=rng, maturity=maturity, answers={org: {} for org in orgs})

    for question in questions:
        visible = [org for org in orgs if is_visible(question, state.answers[org])]
        q_targets = by_question.get(question["code"], {})
        _answer_question(state, question, visible, q_targets)

    mileposts = _assign_mileposts(
        rng,
        orgs,
        maturity,
        milepost_codes_by_area,
        mileposts_advanced=mileposts_advanced,
        members_advancing=members_advancing,
    )
    return {org: OrgAnswers(answers=state.answers[org], mileposts=mileposts[org]) for org in orgs}


@dataclass
class _State:
    rng: random.Random
    maturity: dict[str, float]
    answers: dict[str, dict[str, Any]]


def _split_targets(questions: list[dict], targets: dict[str, int]) -> dict[str, dict[str | None, int]]:
    """Validate targets against the questionnaire; group by question (None key = yes count)."""
    index = {q["code"]: q for q in questions}
    for question in questions:
        qtype = question.get("type")
        if qtype not in QUESTION_TYPES:
            raise ValueError(f"Question {question.get('code')!r} has unknown type {qtype!r}.")
    grouped: dict[str, dict[str | None, int]] = {}
    for indicator, raw_value in targets.items():
        if isinstance(raw_value, bool) or not isinstance(raw_value, int) or raw_value < 0:
            raise ValueError(f"Target {indicator!r} must be a non-negative int, got {raw_value!r}.")
        code, _, option = indicator.partition(".")
        question = index.get(code)
        if question is None:
            raise ValueError(f"Target {indicator!r}: no question {code!r} in the questionnaire.")
        qtype = question["type"]
        if option:
            if qtype not in CHOICE_TYPES:
                raise ValueError(f"Target {indicator!r}: {code!r} is {qtype}, not a choice question.")
            if option not in _option_codes(question):
                raise ValueError(f"Target {indicator!r}: {code!r} has no option {option!r}.")
            grouped.setdefault(code, {})[option] = raw_value
        else:
            if qtype != "yes_no":
                raise ValueError(
                    f"Target {indicator!r}: a bare question code counts yes answers, but {code!r} is {qtype}."
                )
            grouped.setdefault(code, {})[None] = raw_value
    return grouped


def _weighted_sample(
    rng: random.Random, population: list[str], weights: dict[str, float], k: int
) -> list[str]:
    """Sample ``k`` distinct items, with probability increasing with weight (Efraimidis-Spirakis)."""
    if k <= 0:
        return []
    if k >= len(population):
        return list(population)
    keyed = [
        (rng.random() ** (1.0 / max(weights.get(item, 1.0), 1e-6)), i, item)
        for i, item in enumerate(population)
    ]
    keyed.sort(key=lambda t: (-t[0], t[1]))
    return [item for _, _, item in keyed[:k]]


def _answer_question(
    state: _State, question: dict, visible: list[str], q_targets: dict[str | None, int]
) -> None:
    code, qtype, rng = question["code"], question["type"], state.rng
    n = len(visible)
    for key, value in q_targets.items():
        if value > n:
            indicator = code if key is None else f"{code}.{key}"
            raise ValueError(
                f"Target {indicator}={value} exceeds the {n} organisations who see question {code!r}."
            )

    # Optional questions without a target are skipped by some organisations.
    respondents = visible
    if not _is_required(question) and not q_targets:
        rate = _OPTIONAL_ANSWER_RATES.get(qtype, _OPTIONAL_CHOICE_ANSWER_RATE)
        respondents = [org for org in visible if rng.random() < rate]
    if not respondents:
        return

    if qtype == "yes_no":
        _answer_yes_no(state, question, respondents, q_targets.get(None))
    elif qtype == "single_choice":
        _answer_single(state, question, respondents, q_targets)
    elif qtype == "multiple_choice":
        _answer_multiple(state, question, respondents, q_targets)
    elif qtype == "integer":
        for org in respondents:
            state.answers[org][code] = _integer_value(state, question, org)
    else:
        for org in respondents:
            state.answers[org][code] = _text_value(rng, question, org)


def _answer_yes_no(state: _State, question: dict, orgs: list[str], target: int | None) -> None:
    code, rng = question["code"], state.rng
    if target is None:
        rate = _YES_RATES.get(code, rng.uniform(0.3, 0.8))
        target = sum(1 for _ in orgs if rng.random() < rate)
    if code in _MATURITY_YES:
        weights = {org: 0.2 + state.maturity[org] for org in orgs}
    else:
        weights = {org: 1.0 for org in orgs}
    yes = set(_weighted_sample(rng, orgs, weights, target))
    for org in orgs:
        state.answers[org][code] = org in yes


def _answer_single(state: _State, question: dict, orgs: list[str], q_targets: dict[str | None, int]) -> None:
    code, rng = question["code"], state.rng
    options = _option_codes(question)
    if not options:
        raise ValueError(f"Single-choice question {code!r} has no options.")
    n = len(orgs)
    targeted = sum(q_targets.values())
    if targeted > n:
        raise ValueError(
            f"Targets for single-choice question {code!r} add up to {targeted}, more than the {n} "
            "organisations who answer it."
        )
    free = [o for o in options if o not in q_targets]
    remaining = n - targeted
    if remaining and not free:
        raise ValueError(
            f"Targets for single-choice question {code!r} add up to {targeted}, but {n} organisations "
            "answer it and every option has a target."
        )
    counts = {o: q_targets.get(o, 0) for o in options}
    if remaining:
        weights = [_SINGLE_WEIGHTS.get((code, o), rng.uniform(0.5, 1.5)) for o in free]
        for _ in range(remaining):
            counts[rng.choices(free, weights=weights)[0]] += 1

    direction = _ORDINAL.get(code, 0)
    if direction:
        # Most mature first when earlier options are "better" (direction -1), least mature first otherwise.
        noisy = {org: state.maturity[org] + rng.gauss(0.0, 0.15) for org in orgs}
        ordered = sorted(orgs, key=lambda org: noisy[org] if direction > 0 else -noisy[org])
    else:
        ordered = list(orgs)
        rng.shuffle(ordered)
    position = 0
    for option in options:
        for org in ordered[position : position + counts[option]]:
            state.answers[org][code] = option
        position += counts[option]


def _answer_multiple(
    state: _State, question: dict, orgs: list[str], q_targets: dict[str | None, int]
) -> None:
    code, rng = question["code"], state.rng
    options = _option_codes(question)
    real = [o for o in options if o != Option.EXCLUSIVE_CODE]
    has_none = Option.EXCLUSIVE_CODE in options
    n = len(orgs)
    if not real:
        raise ValueError(f"Multiple-choice question {code!r} needs at least one option other than 'none'.")

    real_targets = {o: v for o, v in q_targets.items() if o != Option.EXCLUSIVE_CODE}
    free = [o for o in real if o not in real_targets]
    max_real = max(real_targets.values(), default=0)
    sum_real = sum(real_targets.values())

    # 1. How many organisations tick `none` (they tick nothing else).
    if Option.EXCLUSIVE_CODE in q_targets:
        k = q_targets[Option.EXCLUSIVE_CODE]
    elif not has_none:
        k = 0
    else:
        upper = n - max_real
        lower = max(0, n - sum_real) if not free else 0
        k = round(n * rng.uniform(0.0, 0.1))
        k = min(max(k, lower), upper)
    eligible_n = n - k
    if max_real > eligible_n:
        worst = max(real_targets, key=lambda o: real_targets[o])
        raise ValueError(
            f"Question {code!r}: {k} organisations tick 'none', leaving {eligible_n}, fewer than the target "
            f"{code}.{worst}={max_real}."
        )
    if not free and sum_real < eligible_n:
        if has_none:
            detail = f"{eligible_n} organisations without 'none'"
        else:
            detail = f"all {eligible_n} organisations (the question has no 'none' option)"
        raise ValueError(
            f"Question {code!r}: the targets for its real options add up to {sum_real} ticks, too few to give "
            f"each of the {detail} at least one option; add ticks or a 'none' target."
        )

    none_weights = {org: 1.3 - state.maturity[org] for org in orgs}
    none_orgs = set(_weighted_sample(rng, orgs, none_weights, k))
    eligible = [org for org in orgs if org not in none_orgs]

    # 2. Counts for untargeted real options: plausible shares, raised if needed to cover everyone.
    counts = dict(real_targets)
    for option in free:
        rate = _OPTION_RATES.get((code, option), rng.uniform(0.15, 0.5))
        share = min(1.0, max(0.0, rate + rng.uniform(-0.08, 0.08)))
        counts[option] = min(eligible_n, round(share * eligible_n))
    shortfall = eligible_n - sum(counts.values())
    while shortfall > 0:
        growable = [o for o in free if counts[o] < eligible_n]
        option = rng.choices(growable, weights=[_OPTION_RATES.get((code, o), 0.3) for o in growable])[0]
        counts[option] += 1
        shortfall -= 1

    # 3. Assign each option to exactly counts[o] eligible organisations, covering every one of them.
    ticks: dict[str, set[str]] = {org: set() for org in eligible}
    order = sorted(real, key=lambda o: (-counts[o], real.index(o)))
    uncovered = list(eligible)
    for index, option in enumerate(order):
        count = counts[option]
        later = sum(counts[o] for o in order[index + 1 :])
        must_cover = max(0, len(uncovered) - later)
        weights = _option_weights(state, code, option, eligible)
        first = _weighted_sample(rng, uncovered, weights, must_cover)
        first_set = set(first)
        rest_pool = [org for org in eligible if org not in first_set]
        chosen = first + _weighted_sample(rng, rest_pool, weights, count - len(first))
        for org in chosen:
            ticks[org].add(option)
        chosen_set = set(chosen)
        uncovered = [org for org in uncovered if org not in chosen_set]
    if uncovered:  # pragma: no cover - guaranteed by the must_cover invariant
        raise AssertionError(f"Question {code!r}: {len(uncovered)} organisations left without an option.")

    for org in orgs:
        state.answers[org][code] = [Option.EXCLUSIVE_CODE] if org in none_orgs else sorted(ticks[org])


def _option_weights(state: _State, code: str, option: str, orgs: list[str]) -> dict[str, float]:
    partner = _AFFINITY.get((code, option))
    weights = {}
    for org in orgs:
        weight = 0.3 + state.maturity[org]
        if partner is not None and _includes(state.answers[org].get(partner[0]), partner[1]):
            weight *= 4.0
        weights[org] = weight
    return weights


def _integer_value(state: _State, question: dict, org: str) -> int:
    code, rng = question["code"], state.rng
    low = int(question.get("min", 0))
    high = int(question.get("max", max(low, 1000)))
    if "age" in code:
        value = rng.choice((13, 13, 13, 13, 14, 16, 16, 18))
    elif "staff" in code:
        band = state.answers[org].get("company_size_band")
        lo, hi = _STAFF_BY_BAND.get(band, (1, 200))
        value = round(math.exp(rng.uniform(math.log(lo + 1), math.log(hi + 1)))) - 1
    else:
        value = round(math.exp(rng.uniform(0.0, math.log(min(high, 10000) - low + 2)))) - 1 + low
    return max(low, min(high, value))


def _slug(name: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    return slug or "member"


def _text_value(rng: random.Random, question: dict, org: str) -> str:
    code = question["code"]
    if question["type"] == "short_text":
        if "url" in code:
            return f"https://www.{_slug(org)}.example/transparency"
        return "See our website."
    return rng.choice(_LONG_TEXTS)


# --------------------------------------------------------------------------------------------------
# Mileposts
# --------------------------------------------------------------------------------------------------


def _assign_mileposts(
    rng: random.Random,
    orgs: list[str],
    maturity: dict[str, float],
    codes_by_area: dict[str, list[str]],
    *,
    mileposts_advanced: int,
    members_advancing: int,
) -> dict[str, list[str]]:
    catalogue: list[str] = []
    for area in sorted(codes_by_area):
        for milepost in codes_by_area[area]:
            if milepost not in catalogue:
                catalogue.append(milepost)
    size, n = len(catalogue), len(orgs)
    if members_advancing < 0 or mileposts_advanced < 0:
        raise ValueError("Milepost figures must be non-negative.")
    if members_advancing > n:
        raise ValueError(f"members_advancing={members_advancing} exceeds the {n} organisations.")
    if mileposts_advanced < members_advancing:
        raise ValueError(
            f"mileposts_advanced={mileposts_advanced} is below members_advancing={members_advancing}: "
            "each advancing member needs at least one milepost."
        )
    if members_advancing == 0 and mileposts_advanced:
        raise ValueError("mileposts_advanced > 0 needs members_advancing > 0.")
    if mileposts_advanced > members_advancing * size:
        raise ValueError(
            f"mileposts_advanced={mileposts_advanced} is impossible: {members_advancing} members can advance "
            f"at most {members_advancing * size} mileposts from a catalogue of {size}."
        )

    weights = {org: 0.3 + maturity[org] for org in orgs}
    advancing = _weighted_sample(rng, orgs, weights, members_advancing)
    per_org = dict.fromkeys(advancing, 1)
    for _ in range(mileposts_advanced - members_advancing):
        growable = [org for org in advancing if per_org[org] < size]
        org = rng.choices(growable, weights=[weights[o] for o in growable])[0]
        per_org[org] += 1

    # Some mileposts are taken up more often than others.
    popularity = {milepost: rng.uniform(0.4, 1.6) for milepost in catalogue}
    result: dict[str, list[str]] = {org: [] for org in orgs}
    for org in advancing:
        result[org] = sorted(_weighted_sample(rng, catalogue, popularity, per_org[org]))
    return result
