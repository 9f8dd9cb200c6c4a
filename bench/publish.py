#!/usr/bin/env python
"""Benchmark: the interval audit that runs before every publication (metrics.disclosure.protect).

Builds synthetic releases from the 2025 questionnaire (its counted questions, repeated with new codes until
the release has the number of figures asked for), with random answers skewed so that some figures are small,
and times the audit: primary suppression, every interval (two integer programs per withheld or sensitive
figure) and the further suppressions. The audit is pure, so no database is used.

    .venv/bin/python bench/publish.py [--figures 57 500] [--members 57] [--releases 1] [--repeat 5]

Target: under 1 s for a release of 500 figures.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from metrics.disclosure.audit import (  # noqa: E402
    Layout,
    QuestionShape,
    ReleaseFigures,
    asked_code,
    no_code,
    primary,
    protect,
)

COUNTED = {"yes_no", "single_choice", "multiple_choice"}
SECTIONS = {"prevention", "detection", "response", "transparency"}
K = 5


def questionnaire() -> list[QuestionShape]:
    spec = yaml.safe_load((ROOT / "surveys" / "questionnaires" / "2025.yaml").read_text())
    shapes = []
    for section in spec["sections"]:
        if section["code"] not in SECTIONS:
            continue
        for question in section["questions"]:
            if question["type"] not in COUNTED:
                continue
            options = tuple(option["code"] for option in question.get("options", []))
            condition = question.get("condition")
            shapes.append(
                QuestionShape(
                    code=question["code"],
                    kind=question["type"],
                    options=options,
                    exclusive=tuple(o for o in options if o == "none")
                    if question["type"] == "multiple_choice"
                    else (),
                    required=question.get("required", True),
                    condition=(condition["question"], condition.get("includes") or condition.get("equals"))
                    if condition
                    else None,
                )
            )
    return shapes


def layout_with(figures: int) -> Layout:
    """The questionnaire repeated (codes suffixed) until its questions have at least `figures` figures (the 2025
    questionnaire has 57), plus the 6 mileposts figures."""
    base, shapes, copy = questionnaire(), [], 0
    while sum(len(s.figure_codes()) for s in shapes) < figures:
        suffix = f"_{copy}" if copy else ""
        for shape in base:
            condition = (shape.condition[0] + suffix, shape.condition[1]) if shape.condition else None
            shapes.append(
                QuestionShape(
                    shape.code + suffix, shape.kind, shape.options, shape.exclusive, shape.required, condition
                )
            )
            if sum(len(s.figure_codes()) for s in shapes) >= figures:
                break
        copy += 1
    caps = (("prevention", 12), ("detection", 12), ("response", 12))
    return Layout(questions=tuple(shapes), milepost_caps=caps)


def answer(shape: QuestionShape, rng: random.Random, earlier: dict):
    if shape.condition:
        on, value = shape.condition
        given = earlier.get(on)
        if given is None or (value not in given if isinstance(given, tuple) else given != value):
            return None
    if shape.kind == "yes_no":
        return "yes" if rng.random() < 0.9 else "no"
    if shape.kind == "single_choice":
        weights = [rng.random() ** 3 for _ in shape.options]
        return rng.choices(shape.options, weights)[0]
    if rng.random() < 0.05 and shape.exclusive:
        return shape.exclusive
    plain = [o for o in shape.options if o not in shape.exclusive]
    return tuple(o for o in plain if rng.random() < rng.choice((0.03, 0.5, 0.95))) or (plain[0],)


def figures_of(layout: Layout, people: dict[int, dict], ids: frozenset) -> tuple[dict, dict]:
    values, contributors = {}, {}
    for shape in layout.questions:
        given = [people[i].get(shape.code) for i in ids]
        asked = [g for g in given if g is not None]
        values[asked_code(shape.code)] = len(asked)
        if shape.kind == "yes_no":
            values[shape.code] = sum(g == "yes" for g in asked)
            values[no_code(shape.code)] = len(asked) - values[shape.code]
        else:
            for option in shape.options:
                values[f"{shape.code}.{option}"] = sum(
                    (option in g) if isinstance(g, tuple) else g == option for g in asked
                )
    total = 0
    for area, _ in layout.milepost_caps:
        counts = [people[i]["mileposts"].get(area, 0) for i in ids]
        values[f"mileposts.advanced.{area}"] = sum(counts)
        contributors[f"mileposts.advanced.{area}"] = sum(1 for c in counts if c)
        total += sum(counts)
    advancing = sum(1 for i in ids if any(people[i]["mileposts"].values()))
    values.update({"mileposts.advanced": total, "mileposts.members_advancing": advancing})
    contributors["mileposts.advanced"] = advancing
    return values, contributors


def synthetic(figures: int, members: int, releases: int, seed: int):
    rng = random.Random(seed)
    layout = layout_with(figures)
    people = {}
    for member in range(members + 10 * releases):
        given: dict = {}
        for shape in layout.questions:
            given[shape.code] = answer(shape, rng, given)
        given["mileposts"] = {
            area: rng.choice((0, 0, 1, 2, 5)) if area != "response" or rng.random() < 0.06 else 0
            for area, _ in layout.milepost_caps
        }
        people[member] = given
    sets = [frozenset(range(members + 10 * r)) for r in range(releases)]
    return layout, people, sets


def audit_time(layout, people, sets, *, intervals: bool) -> tuple[float, int, int, int]:
    done: list[ReleaseFigures] = []
    started = time.perf_counter()
    for ids in sets:
        values, contributors = figures_of(layout, people, ids)
        withheld, sensitive = primary(layout=layout, values=values, contributors=contributors, threshold=K)
        current = ReleaseFigures(members=ids, values=values, withheld=withheld, sensitive=sensitive)
        result = protect(layout=layout, releases=[*done, current], threshold=K, intervals=intervals)
        done.append(
            ReleaseFigures(
                members=ids, values=values, withheld=frozenset(result.withheld), sensitive=sensitive
            )
        )
    elapsed = time.perf_counter() - started
    published = sum(len(s.figure_codes()) for s in layout.questions)
    return elapsed, published, len(result.withheld), result.solves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, nargs="+", default=[57, 500])
    parser.add_argument("--members", type=int, default=57)
    parser.add_argument("--releases", type=int, default=1, help="audit a year of this many releases")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"Interval audit, {args.members} members, {args.releases} release(s) per year, k = {K}")
    for intervals, what in ((False, "audit (publish)"), (True, "audit + staff ranges (preview)")):
        print(what)
        for figures in args.figures:
            times = []
            for seed in range(args.repeat):
                layout, people, sets = synthetic(figures, args.members, args.releases, seed)
                elapsed, published, withheld, solves = audit_time(layout, people, sets, intervals=intervals)
                times.append(elapsed)
            print(
                f"  {published:4d} question figures + 6 mileposts: median {statistics.median(times) * 1000:7.1f} ms, "
                f"max {max(times) * 1000:7.1f} ms over {args.repeat} releases "
                f"(last: {withheld} withheld, {solves} integer programs solved)"
            )


if __name__ == "__main__":
    main()
