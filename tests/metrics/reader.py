"""A determined reader, written apart from `metrics.disclosure` so that the tests check the audit against an
independent computation: one 0/1 unknown per member and answer (the audit reasons about counts instead),
constrained by the questionnaire and by everything published, solved with scipy's MILP.

The reader knows who is in each release, the questionnaire, every published figure and denominator, what
each label claims ("fewer than 5" claims 1–4; "withheld" claims only that the figure is not zero), and which
members corrected their answers between releases (each correction is a new, unrelated set of answers).
"""

import re
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


@dataclass(frozen=True)
class Q:
    code: str
    kind: str  # "multiple_choice", "single_choice" or "yes_no"
    options: tuple[str, ...] = ()
    condition: tuple[str, str] | None = None  # (question, option code or "yes")
    required: bool = True


@dataclass
class Published:
    """One release as the public sees it."""

    members: frozenset
    figures: dict[str, int | None]  # code -> value; None when withheld
    denominators: dict[str, int | None] = field(default_factory=dict)  # question -> published denominator
    labels: dict[str, str] = field(default_factory=dict)  # code -> how a withheld figure reads
    versions: dict[object, int] = field(default_factory=dict)  # member -> answers version (corrections)


def claim(label: str) -> tuple[float, float]:
    """What a withheld figure's label states about its value."""
    match = re.fullmatch(r"fewer than (\d+)", label or "")
    if match:
        return 1, int(match.group(1)) - 1
    return 1, np.inf


class Reader:
    def __init__(self, questions: list[Q], releases: list[Published]):
        self.questions = {q.code: q for q in questions}
        self.releases = releases
        self.lows: list[float] = []
        self.highs: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.unknown: dict[tuple, int] = {}
        versions = {(m, r.versions.get(m, 0)) for r in releases for m in r.members}
        for version in sorted(versions, key=repr):
            self._member(version)
        for index, release in enumerate(releases):
            self._release(index, release)

    def _new(self, key) -> int:
        self.unknown[key] = len(self.lows)
        self.lows.append(0)
        self.highs.append(1)
        return self.unknown[key]

    def _member(self, version) -> None:
        for q in self.questions.values():
            answered = self._new((version, q.code, "answered"))
            if q.condition and q.condition[0] in self.questions:
                on, value = q.condition
                shown = self.unknown[(version, on, "yes" if value == "yes" else value)]
                self.rows.append(({answered: 1, shown: -1}, 0 if q.required else -np.inf, 0))
            elif q.required:
                self.lows[answered] = 1
            if q.kind == "yes_no":
                yes = self._new((version, q.code, "yes"))
                self.rows.append(({yes: 1, answered: -1}, -np.inf, 0))
                continue
            ticks = [self._new((version, q.code, option)) for option in q.options]
            for tick in ticks:
                self.rows.append(({tick: 1, answered: -1}, -np.inf, 0))
            if q.kind == "single_choice":
                self.rows.append(({**dict.fromkeys(ticks, 1), answered: -1}, 0, 0))
            else:
                self.rows.append(({**dict.fromkeys(ticks, 1), answered: -1}, 0, np.inf))
                if "none" in q.options:
                    none = self.unknown[(version, q.code, "none")]
                    for option, tick in zip(q.options, ticks, strict=True):
                        if option != "none":
                            self.rows.append(({none: 1, tick: 1}, -np.inf, 1))

    def expression(self, index: int, code: str) -> dict[int, float]:
        """A count in release `index` as a sum of unknowns: `q.option`, `q` (yes), `q#no`, `q#asked`."""
        release = self.releases[index]
        question, _, rest = code.partition("#")
        question, _, option = question.partition(".")
        coefs: dict[int, float] = {}
        for member in release.members:
            version = (member, release.versions.get(member, 0))
            if rest == "asked":
                coefs[self.unknown[(version, question, "answered")]] = 1
            elif rest == "no":
                coefs[self.unknown[(version, question, "answered")]] = 1
                coefs[self.unknown[(version, question, "yes")]] = -1
            else:
                coefs[self.unknown[(version, question, option or "yes")]] = 1
        return coefs

    def _release(self, index: int, release: Published) -> None:
        for code, value in release.figures.items():
            if code.partition(".")[0] not in self.questions:
                continue
            low, high = (value, value) if value is not None else claim(release.labels.get(code, "withheld"))
            self.rows.append((self.expression(index, code), low, high))
        for question, value in release.denominators.items():
            if value is not None and question in self.questions:
                self.rows.append((self.expression(index, f"{question}#asked"), value, value))

    def interval(self, index: int, code: str) -> tuple[int, int] | None:
        """The smallest and largest value the reader can conclude; None when the figures contradict."""
        target = self.expression(index, code)
        size = len(self.lows)
        matrix = np.zeros((len(self.rows), size))
        for row, (coefs, _, _) in enumerate(self.rows):
            for var, coef in coefs.items():
                matrix[row, var] = coef
        constraints = LinearConstraint(matrix, [r[1] for r in self.rows], [r[2] for r in self.rows])
        ends = []
        for sign in (1, -1):
            objective = np.zeros(size)
            for var, coef in target.items():
                objective[var] = sign * coef
            result = milp(
                objective,
                constraints=constraints,
                bounds=Bounds(self.lows, self.highs),
                integrality=np.ones(size),
            )
            if result.status != 0:
                return None
            ends.append(round(sign * result.fun))
        return ends[0], ends[1]


def pinned_small(interval: tuple[int, int] | None, k: int) -> bool:
    """The reader concludes that a count lies between 1 and k − 1 (or the figures contradict themselves,
    which tells the reader that a label is false)."""
    return interval is None or (interval[0] >= 1 and interval[1] <= k - 1)


def groups(member_sets: list[frozenset]) -> dict[tuple[bool, ...], int]:
    """Members by which releases they are in: what adding and subtracting releases can isolate."""
    sizes: dict[tuple[bool, ...], int] = {}
    for member in set().union(*member_sets):
        key = tuple(member in s for s in member_sets)
        sizes[key] = sizes.get(key, 0) + 1
    return sizes
