"""Print the mutation score of each module from mutmut's last run (`make mutation` calls it).

Reads mutants/**/*.meta: mutmut's exit code per mutant (1 or 3 killed, 0 survived, 33/5 no test reached it,
timeouts and type-check failures count as killed). The score is killed / checked; mutants not yet checked
(a run stopped early) are left out and counted apart.

    python -m tests.mutation_score [--survivors]
"""

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 24, -24, 36, 37, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def scores(root: Path = Path("mutants")) -> list[tuple[str, Counter, list[str]]]:
    rows = []
    for meta in sorted(root.rglob("*.py.meta")):
        module = str(meta.relative_to(root)).removesuffix(".meta")
        counts: Counter = Counter()
        survivors = []
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if code is None:
                counts["not checked"] += 1
            elif code in KILLED:
                counts["killed"] += 1
            elif code in SURVIVED:
                counts["survived"] += 1
                survivors.append(name)
            elif code in NO_TESTS:
                counts["no tests"] += 1
                survivors.append(name)
            else:
                counts["other"] += 1
        rows.append((module, counts, survivors))
    return rows


def main(argv: list[str]) -> int:
    print(
        f"{'module':40} {'checked':>8} {'killed':>7} {'survived':>9} {'no tests':>9} {'unchecked':>10} {'score':>7}"
    )
    for module, counts, survivors in scores():
        checked = counts["killed"] + counts["survived"] + counts["no tests"] + counts["other"]
        score = f"{100 * counts['killed'] / checked:.1f}%" if checked else "-"
        print(
            f"{module:40} {checked:>8} {counts['killed']:>7} {counts['survived']:>9} {counts['no tests']:>9} "
            f"{counts['not checked']:>10} {score:>7}"
        )
        if "--survivors" in argv:
            for name in survivors:
                print(f"    {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
