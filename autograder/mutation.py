"""Mutation testing of the reference solutions with mutmut, summarised per module.

    python -m autograder.mutation              # mutmut run, then the per-module table
    python -m autograder.mutation --no-run     # only the table of the last run (mutants/)
    python -m autograder.mutation --survivors  # also print each surviving mutant's diff

mutmut 3 (configured in pyproject's ``[tool.mutmut]``) copies the project into ``mutants/``,
rewrites every function of ``solutions/`` into a trampoline that dispatches to one of its mutants
(chosen by the environment variable MUTANT_UNDER_TEST), and runs the public and hidden suites
with ``--target=solutions``. The tests reach the mutated code through the ``target`` fixture,
which imports ``solutions.<module>`` from ``mutants/`` (first on sys.path there), so mutmut's
own layout works unchanged: no hand-written mutation runner is needed for the full run.

The score of a module is killed / (mutants - equivalent): a mutant listed with its reason in
``tests/misconceptions/EQUIVALENT_MUTANTS.md`` behaves exactly like the original on every input
the exercise allows, so no test can kill it and it is not counted. The table flags listed
mutants that no longer survive (the list went stale after the solution changed).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "tests" / "misconceptions" / "EQUIVALENT_MUTANTS.md"
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
_MUTANT = re.compile(r"`?(solutions\.[\w.]+__mutmut_\d+)`?")


@dataclass
class ModuleScore:
    module: str
    total: int
    killed: int
    equivalent: int
    survived: list[str]

    @property
    def score(self) -> float:
        counted = self.total - self.equivalent
        return 100.0 * self.killed / counted if counted else 100.0


def equivalent_mutants(path: Path = EQUIVALENTS) -> dict[str, str]:
    """Mutant name -> the reason it is equivalent, from the Markdown list."""
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*[-*]\s+`(solutions\.[\w.]+__mutmut_\d+)`\s*[:\-–]?\s*(.*)$", line)
        if m:
            found[m.group(1)] = m.group(2).strip()
    return found


def mutmut(*args: str, check: bool = True) -> str:
    proc = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=ROOT, capture_output=True,
                          text=True)
    if check and proc.returncode != 0:
        raise SystemExit(f"mutmut {' '.join(args)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return proc.stdout


def statuses() -> dict[str, str]:
    """Every mutant of the last run and its status (``mutmut results --all true``)."""
    out = mutmut("results", "--all", "true")
    found = {}
    for line in out.splitlines():
        name, _, status = line.strip().partition(": ")
        if _MUTANT.fullmatch(name):
            found[name] = status.strip()
    return found


def module_of(mutant: str) -> str:
    return mutant.split(".")[1]


def scores(found: dict[str, str], equivalents: dict[str, str]) -> list[ModuleScore]:
    by_module: dict[str, list[str]] = defaultdict(list)
    for name in found:
        by_module[module_of(name)].append(name)
    table = []
    for module in sorted(by_module):
        names = sorted(by_module[module])
        killed = sum(found[n] in DETECTED for n in names)
        equivalent = sum(found[n] not in DETECTED and n in equivalents for n in names)
        survived = [n for n in names if found[n] not in DETECTED and n not in equivalents]
        table.append(ModuleScore(module, len(names), killed, equivalent, survived))
    return table


def render(table: list[ModuleScore], found: dict[str, str], equivalents: dict[str, str]) -> str:
    lines = [f"{'module':20} {'mutants':>8} {'killed':>7} {'equiv.':>7} {'survived':>9} {'score':>7}"]
    for row in table:
        lines.append(f"{row.module:20} {row.total:8d} {row.killed:7d} {row.equivalent:7d} "
                     f"{len(row.survived):9d} {row.score:6.1f}%")
    total = sum(r.total for r in table)
    killed = sum(r.killed for r in table)
    equivalent = sum(r.equivalent for r in table)
    overall = 100.0 * killed / (total - equivalent) if total > equivalent else 100.0
    lines.append(f"{'all':20} {total:8d} {killed:7d} {equivalent:7d} "
                 f"{sum(len(r.survived) for r in table):9d} {overall:6.1f}%")
    stale = sorted(n for n in equivalents if n not in found or found[n] in DETECTED)
    if stale:
        lines.append(f"\nlisted as equivalent but killed or gone (update {EQUIVALENTS.name}): {', '.join(stale)}")
    odd = Counter(s for s in found.values() if s not in DETECTED | {"survived"})
    if odd:
        lines.append("other statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(odd.items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-run", action="store_true", help="summarise the last run only")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant runs")
    parser.add_argument("--survivors", action="store_true", help="show each survivor's diff")
    parser.add_argument("--min-score", type=float, default=90.0,
                        help="exit 1 when a module scores below this (default 90)")
    args = parser.parse_args(argv)
    if not args.no_run:
        mutmut("run", "--max-children", str(args.max_children), check=False)
    found = statuses()
    if not found:
        print("no mutmut results: run `python -m autograder.mutation` first", file=sys.stderr)
        return 2
    equivalents = equivalent_mutants()
    table = scores(found, equivalents)
    print(render(table, found, equivalents))
    survivors = [n for row in table for n in row.survived]
    if survivors:
        print(f"\n{len(survivors)} surviving mutants (kill each with a test in tests/hidden/"
              f"test_mutants_<module>.py, or list it with its reason in {EQUIVALENTS.name}):")
        for name in survivors:
            print(mutmut("show", name, check=False) if args.survivors else f"  {name}")
    return 0 if all(row.score >= args.min_score for row in table) else 1


if __name__ == "__main__":
    raise SystemExit(main())
