"""The interval audit: what a determined reader can work out about each withheld figure, and the few further
figures to withhold so that none withheld for being small can be pinned between 1 and k − 1.

The reader of `docs/disclosure.md` knows every figure published for the year (every release), the
questionnaire (which questions are required, their conditions, which options are exclusive, which questions
take a single answer), the number of respondents of each release and who is in which release, and the rules
(zero is never withheld, so a withheld figure is at least 1). Everything they can conclude about a withheld
figure is the set of integer solutions of linear relations between the figures; its lowest and highest values
are two integer programs, solved with HiGHS through `scipy.optimize.milp`.

Pure: plain data in, plain data out; `metrics.services.publishing` builds the input from the database.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from ..codes import AREA_PREFIX, MEMBERS, MILEPOSTS
from ..codes import MILEPOSTS_MEMBERS_ADVANCING as ADVANCING
from ..codes import MILEPOSTS_PER_MEMBER as PER_MEMBER
from .rules import is_small

SMALL = "small"
PROTECTS = "protects"


def asked_code(question: str) -> str:
    """The members a question was shown to and who answered it: the denominator of its figures."""
    return f"{question}#asked"


def no_code(question: str) -> str:
    """The members answering no to a yes/no question (never published, but derivable: asked − yes)."""
    return f"{question}#no"


def any_code(question: str) -> str:
    """The members ticking at least one non-exclusive option of a multiple-choice question (never published)."""
    return f"{question}#any"


@dataclass(frozen=True)
class QuestionShape:
    """What the questionnaire tells every reader about a counted question."""

    code: str
    kind: str  # "yes_no", "single_choice" or "multiple_choice"
    options: tuple[str, ...] = ()
    exclusive: tuple[str, ...] = ()
    required: bool = True
    # (question, value): shown only when that question's answer is / includes value ("yes"/"no" for yes/no).
    condition: tuple[str, str] | None = None

    def figure_codes(self) -> tuple[str, ...]:
        if self.kind == "yes_no":
            return (self.code,)
        return tuple(f"{self.code}.{option}" for option in self.options)

    @property
    def asked_is_members(self) -> bool:
        return self.condition is None and self.required


@dataclass(frozen=True)
class Layout:
    """The questionnaire and the milepost catalogue, as public as the figures."""

    questions: tuple[QuestionShape, ...] = ()
    # (area, how many catalogue mileposts of the area one member can advance in the year)
    milepost_caps: tuple[tuple[str, int], ...] = ()


@dataclass
class ReleaseFigures:
    """One release of the year as the audit sees it.

    `values` holds true values where the audit knows them (a withheld figure of an old release may be
    unknown); `withheld` the figure codes not published; `sensitive` the codes that must never be pinned
    inside [1, k − 1] (figures withheld for being small, and hidden counts such as a small number of "no"
    answers). `changed` counts members of this release whose answers were corrected after it, so that
    their answers here may differ from their answers in later releases.
    """

    members: frozenset
    values: dict[str, int]
    withheld: frozenset[str] = frozenset()
    sensitive: frozenset[str] = frozenset()
    per_member: Decimal | None = None
    changed: int = 0
    label: str = ""


@dataclass
class AuditResult:
    """The suppression pattern of the release being prepared, why each figure is withheld, and what a reader
    can derive about every withheld or sensitive figure (staff only)."""

    withheld: dict[str, str] = field(default_factory=dict)  # code -> SMALL | PROTECTS
    intervals: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)  # (release index, code)
    solves: int = 0

    def interval(self, code: str, release: int = -1) -> tuple[int, int] | None:
        if release < 0:
            release = max((index for index, _ in self.intervals), default=0)
        return self.intervals.get((release, code))


class AuditError(Exception):
    """No suppression pattern of the new release protects a figure (an earlier release already gives it away)."""


def is_milepost_code(code: str) -> bool:
    return code == MILEPOSTS or code.startswith(AREA_PREFIX)


def unsafe(code: str, interval: tuple[int, int], threshold: int) -> bool:
    """A sensitive figure is given away when every value a reader can derive lies in [1, k − 1]; a count of
    mileposts from fewer than k members also when it is derived exactly."""
    low, high = interval
    if low >= 1 and high <= threshold - 1:
        return True
    return is_milepost_code(code) and low == high


# --- Families: groups of figures that share relations ------------------------------------------------------


@dataclass(frozen=True)
class _Family:
    questions: tuple[QuestionShape, ...] = ()
    mileposts: tuple[tuple[str, int], ...] = ()

    def cells(self) -> list[str]:
        """Every count of the family, published or hidden."""
        cells: list[str] = []
        for question in self.questions:
            cells += [*question.figure_codes(), asked_code(question.code)]
            if question.kind == "yes_no":
                cells.append(no_code(question.code))
            elif question.kind == "multiple_choice":
                cells.append(any_code(question.code))
        if self.mileposts:
            cells += [MILEPOSTS, ADVANCING, *(AREA_PREFIX + area for area, _ in self.mileposts)]
        return cells

    def publishable(self) -> list[str]:
        codes: list[str] = []
        for question in self.questions:
            codes += [*question.figure_codes(), asked_code(question.code)]
        if self.mileposts:
            codes += [MILEPOSTS, ADVANCING, PER_MEMBER, *(AREA_PREFIX + area for area, _ in self.mileposts)]
        return codes


def _families(layout: Layout) -> list[_Family]:
    """Questions linked by a condition form one family; the mileposts form another; families share nothing."""
    by_code = {question.code: question for question in layout.questions}
    parent = {code: code for code in by_code}

    def root(code: str) -> str:
        while parent[code] != code:
            code = parent[code]
        return code

    for question in layout.questions:
        if question.condition and question.condition[0] in by_code:
            parent[root(question.code)] = root(question.condition[0])
    groups: dict[str, list[QuestionShape]] = defaultdict(list)
    for question in layout.questions:
        groups[root(question.code)].append(question)
    families = [_Family(questions=tuple(group)) for group in groups.values()]
    if layout.milepost_caps:
        families.append(_Family(mileposts=layout.milepost_caps))
    return families


# --- The integer program ------------------------------------------------------------------------------------


class _Program:
    """Variables with bounds and linear rows `low ≤ Σ coef·var ≤ high`; intervals by two MILPs per variable."""

    def __init__(self):
        self.low: list[float] = []
        self.high: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self._matrix = None
        self.solves = 0

    def var(self, low: float, high: float) -> int:
        self.low.append(low)
        self.high.append(high)
        return len(self.low) - 1

    def row(self, coefs: dict[int, float], low: float, high: float) -> None:
        self.rows.append((coefs, low, high))

    def fix(self, var: int, value: float) -> None:
        self.low[var] = self.high[var] = value

    def at_least(self, var: int, value: float) -> None:
        self.low[var] = max(self.low[var], value)

    def _constraints(self):
        if self._matrix is None:
            rows, cols, data, lows, highs = [], [], [], [], []
            for index, (coefs, low, high) in enumerate(self.rows):
                for var, coef in coefs.items():
                    rows.append(index)
                    cols.append(var)
                    data.append(coef)
                lows.append(low)
                highs.append(high)
            shape = (max(len(self.rows), 1), len(self.low))
            matrix = coo_array((data, (rows, cols)), shape=shape).tocsr()
            if not self.rows:
                lows, highs = [-np.inf], [np.inf]
            self._matrix = LinearConstraint(matrix, lows, highs)
        return self._matrix

    def end(self, var: int, *, highest: bool) -> int | None:
        """The highest (or lowest) integer value of `var` over every solution; None when there is none."""
        sign = -1.0 if highest else 1.0
        objective = np.zeros(len(self.low))
        objective[var] = sign
        self.solves += 1
        result = milp(
            objective,
            constraints=self._constraints(),
            bounds=Bounds(self.low, self.high),
            integrality=np.ones(len(self.low)),
        )
        if result.status != 0:
            return None
        return int(round(sign * result.fun))

    def interval(self, var: int) -> tuple[int, int] | None:
        """The lowest and highest integer values of `var` over every solution; None when there is none."""
        low = self.end(var, highest=False)
        high = None if low is None else self.end(var, highest=True)
        return None if high is None else (low, high)

    def exposure(self, var: int, code: str, threshold: int) -> tuple[bool, tuple[int, int] | None] | None:
        """Whether a sensitive figure is given away, and its range when it was needed to tell; None when the
        relations have no solution. The highest value alone settles most figures: k or more is safe."""
        high = self.end(var, highest=True)
        if high is None:
            return None
        if high >= threshold and not is_milepost_code(code):
            return False, None
        low = self.end(var, highest=False)
        if low is None:
            return None
        return unsafe(code, (low, high), threshold), (low, high)


def _per_member_range(per_member: Decimal, members: int) -> tuple[int, int]:
    """Mileposts totals whose ratio to `members`, rounded half up to one decimal, is `per_member`."""
    low = ((per_member - Decimal("0.05")) * members).to_integral_value(rounding=ROUND_CEILING)
    high = ((per_member + Decimal("0.05")) * members).to_integral_value(rounding=ROUND_CEILING) - 1
    return max(int(low), 0), int(high)


class _Model:
    """One family's relations over every release of the year (and, with several releases, over the groups of
    members that are in exactly the same releases)."""

    def __init__(
        self, family: _Family, releases: list[ReleaseFigures], withheld_now: set[str], relaxed: bool
    ):
        self.family = family
        self.program = _Program()
        self.vars: dict[tuple[object, str], int] = {}
        # A required question without a condition is answered by every respondent (when the figures agree).
        self.answered_by_all = {
            question.code
            for question in family.questions
            if question.asked_is_members
            and all(r.values.get(asked_code(question.code)) in (None, len(r.members)) for r in releases)
        }
        caps = dict(family.mileposts)
        self.cap = {MILEPOSTS: sum(caps.values()), **{AREA_PREFIX + area: cap for area, cap in caps.items()}}
        cells = family.cells()
        tables: list[tuple[object, int]] = [(index, len(r.members)) for index, r in enumerate(releases)]
        atoms: dict[tuple[bool, ...], int] = {}
        if len(releases) > 1:
            everyone = set().union(*(r.members for r in releases))
            sizes: dict[tuple[bool, ...], int] = defaultdict(int)
            for member in everyone:
                sizes[tuple(member in r.members for r in releases)] += 1
            atoms = dict(sizes)
            tables += [(("atom", signature), size) for signature, size in atoms.items()]
        for table, size in tables:
            for cell in cells:
                self.vars[(table, cell)] = self.program.var(0, size * self.cap.get(cell, 1))
            self._relations(table, size)
        for index, release in enumerate(releases):
            # Members are additive: a release's count is the sum over the groups it contains, give or take the
            # members whose answers were corrected after it.
            if atoms:
                changed = len(release.members) if relaxed else release.changed
                for cell in cells:
                    coefs = {self.vars[(index, cell)]: 1.0}
                    for signature in atoms:
                        if signature[index]:
                            coefs[self.vars[(("atom", signature), cell)]] = -1.0
                    slack = changed * self.cap.get(cell, 1)
                    self.program.row(coefs, -slack, slack)
            is_current = index == len(releases) - 1
            withheld = withheld_now if is_current else release.withheld
            self._published(index, release, withheld)

    def v(self, table, cell: str) -> int:
        return self.vars[(table, cell)]

    def _relations(self, table, size: int) -> None:
        row, v = self.program.row, self.v
        known = {question.code: question for question in self.family.questions}
        for question in self.family.questions:
            asked = v(table, asked_code(question.code))
            if question.code in self.answered_by_all:
                self.program.fix(asked, size)
            elif question.condition and question.condition[0] in known:
                on, value = question.condition
                if known[on].kind == "yes_no":
                    gate = v(table, on if value == "yes" else no_code(on))
                else:
                    gate = v(table, f"{on}.{value}")
                # A required question is answered by everyone it is shown to; an optional one by some.
                row({asked: 1, gate: -1}, 0 if question.required else -np.inf, 0)
            figures = [v(table, code) for code in question.figure_codes()]
            if question.kind == "yes_no":
                row({figures[0]: 1, v(table, no_code(question.code)): 1, asked: -1}, 0, 0)
            elif question.kind == "single_choice":
                row({**dict.fromkeys(figures, 1), asked: -1}, 0, 0)
            else:
                union = v(table, any_code(question.code))
                plain = [
                    v(table, f"{question.code}.{o}") for o in question.options if o not in question.exclusive
                ]
                exclusive = [v(table, f"{question.code}.{o}") for o in question.exclusive]
                for figure in plain:
                    row({figure: 1, union: -1}, -np.inf, 0)
                row({union: 1, **{figure: -1 for figure in plain}}, -np.inf, 0)
                # Exclusive options are ticked alone: members answering tick exactly one of them, or others.
                row({union: 1, **dict.fromkeys(exclusive, 1), asked: -1}, 0, 0)
        if self.family.mileposts:
            total, advancing = v(table, MILEPOSTS), v(table, ADVANCING)
            areas = [v(table, AREA_PREFIX + area) for area, _ in self.family.mileposts]
            row({total: -1, **dict.fromkeys(areas, 1)}, 0, 0)
            row({advancing: 1, total: -1}, -np.inf, 0)  # each member advancing advanced at least one
            row({total: 1, advancing: -self.cap[MILEPOSTS]}, -np.inf, 0)
            for (_area, cap), var in zip(self.family.mileposts, areas, strict=True):
                row({var: 1, advancing: -cap}, -np.inf, 0)
            self.program.high[advancing] = min(self.program.high[advancing], size)

    def _published(self, index: int, release: ReleaseFigures, withheld: set[str] | frozenset[str]) -> None:
        for code in self.family.publishable():
            if code == PER_MEMBER:
                if code not in withheld and release.per_member is not None and release.members:
                    low, high = _per_member_range(release.per_member, len(release.members))
                    self.program.row({self.v(index, MILEPOSTS): 1}, low, high)
                continue
            var = self.v(index, code)
            if code in withheld:
                self.program.at_least(var, 1)  # zero is never withheld, and the rules say so
            elif release.values.get(code) is not None:
                self.program.fix(var, release.values[code])


def _sensitive(releases: list[ReleaseFigures], family_cells: set[str]) -> list[tuple[int, str]]:
    return [
        (index, code)
        for index, release in enumerate(releases)
        for code in sorted(release.sensitive)
        if code in family_cells
    ]


def protect(
    *, layout: Layout, releases: list[ReleaseFigures], threshold: int, intervals: bool = True
) -> AuditResult:
    """Withhold the fewest further figures of the last release (the one being prepared) so that no sensitive
    figure of any release of the year can be derived to lie inside [1, k − 1].

    Greedy, family by family: while a sensitive figure is given away, withhold the smallest published figure
    of its family that alone protects it (or, when none does alone, the one that widens its range most, and
    look again); few and small figures withheld keep the information lost low. With `intervals`, also works
    out the range a reader can derive for every withheld or sensitive figure (for the staff preview). Raises
    AuditError when withholding everything that may be withheld still gives a figure away.
    """
    current = releases[-1]
    result = AuditResult(withheld=dict.fromkeys(sorted(current.withheld), SMALL))
    last = len(releases) - 1
    for family in _families(layout):
        cells = set(family.cells())
        sensitive = _sensitive(releases, cells)
        if not sensitive:
            continue
        withheld = set(result.withheld)
        relaxed = False
        while True:
            model = _Model(family, releases, withheld, relaxed)
            exposed, contradiction = None, False
            for index, code in sensitive:
                verdict = model.program.exposure(model.v(index, code), code, threshold)
                if verdict is None:
                    contradiction = True
                    break
                if verdict[0]:
                    exposed = (index, code)
                    break
            result.solves += model.program.solves
            if contradiction:
                if relaxed:
                    raise AuditError(
                        "The figures of this year contradict each other; recompute and try again."
                    )
                # Answers corrected between releases without our knowing how many: assume any may have.
                relaxed = True
                continue
            if exposed is None:
                break
            chosen = _protector(family, releases, withheld, relaxed, exposed, threshold, result)
            withheld.add(chosen)
            result.withheld[chosen] = PROTECTS
        if intervals:
            model = _Model(family, releases, set(result.withheld), relaxed)
            wanted = [(last, code) for code in family.publishable() if code in result.withheld]
            wanted += [(index, code) for index, code in sensitive if (index, code) not in wanted]
            for index, code in wanted:
                if code == PER_MEMBER:
                    continue
                interval = model.program.interval(model.v(index, code))
                if interval is not None:
                    result.intervals[(index, code)] = interval
            result.solves += model.program.solves
    return result


def _protector(family, releases, withheld, relaxed, exposed, threshold, result) -> str:
    """The figure to withhold next for `exposed`: the cheapest that protects it alone; failing that, the one
    that widens its range most."""
    current = releases[-1]
    candidates = sorted(
        (
            code
            for code in family.publishable()
            if code not in withheld and _cost(current, code, family) is not None
        ),
        key=lambda code: (_cost(current, code, family), code),
    )
    if not candidates:
        index, code = exposed
        label = releases[index].label or "an earlier release"
        raise AuditError(
            f"{code} in {label} could be worked out to lie between 1 and {threshold - 1} whatever this "
            "release withholds."
        )
    chosen, widest = candidates[0], -1
    for candidate in candidates:
        trial = _Model(family, releases, withheld | {candidate}, relaxed)
        verdict = trial.program.exposure(trial.v(*exposed), exposed[1], threshold)
        result.solves += trial.program.solves
        if verdict is None:
            continue
        if not verdict[0]:
            return candidate
        low, high = verdict[1]
        if high - low > widest:
            chosen, widest = candidate, high - low
    return chosen


def _cost(release: ReleaseFigures, code: str, family: _Family) -> float | None:
    """What withholding a published figure costs (its size), or None when it cannot be withheld: zeros are
    always shown, and so are the number of members and a question's denominator when it is everyone."""
    if code.endswith("#asked") and release.values.get(code) == len(release.members):
        return None
    if code == PER_MEMBER:
        total = release.values.get(MILEPOSTS)
        return None if release.per_member is None else float(total or 0) + 0.5
    value = release.values.get(code)
    if value is None or value <= 0 or code == MEMBERS:
        return None
    return float(value)


def primary(
    *, layout: Layout, values: dict[str, int], contributors: dict[str, int], threshold: int
) -> tuple[frozenset[str], frozenset[str]]:
    """The figures withheld for being small and every sensitive count: `(withheld, sensitive)`.

    Small: a member count (an option, a yes count, the members asked, members advancing) between 1 and
    k − 1; a mileposts figure made by between 1 and k − 1 members (`contributors`). Sensitive as well, though
    never published: a small number of "no" answers.
    """
    withheld: set[str] = set()
    sensitive: set[str] = set()
    for question in layout.questions:
        codes = [*question.figure_codes(), asked_code(question.code)]
        withheld |= {code for code in codes if is_small(values.get(code), threshold)}
        if question.kind == "yes_no" and is_small(values.get(no_code(question.code)), threshold):
            sensitive.add(no_code(question.code))
    if layout.milepost_caps:
        if is_small(values.get(ADVANCING), threshold):
            withheld.add(ADVANCING)
        for code in (MILEPOSTS, *(AREA_PREFIX + area for area, _ in layout.milepost_caps)):
            if is_small(contributors.get(code), threshold):
                withheld.add(code)
    sensitive |= withheld
    return frozenset(withheld), frozenset(sensitive)


def differencing_groups(member_sets: list[frozenset]) -> list[tuple[tuple[bool, ...], int]]:
    """The partition of everyone in any of the releases by which releases they are in: `(signature, size)`.

    Adding and subtracting releases can isolate exactly these groups and nothing smaller, so a group of fewer
    than k members is one that some combination of releases singles out.
    """
    sizes: dict[tuple[bool, ...], int] = defaultdict(int)
    for member in set().union(*member_sets) if member_sets else ():
        sizes[tuple(member in members for members in member_sets)] += 1
    return sorted(sizes.items())


def isolated_groups(member_sets: list[frozenset], *, threshold: int) -> list[tuple[tuple[bool, ...], int]]:
    """The groups of fewer than k members that some combination of the releases would single out."""
    return [(signature, size) for signature, size in differencing_groups(member_sets) if size < threshold]
