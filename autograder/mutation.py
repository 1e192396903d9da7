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
import ast
import random
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


def _natural(name: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def scores(found: dict[str, str], equivalents: dict[str, str]) -> list[ModuleScore]:
    by_module: dict[str, list[str]] = defaultdict(list)
    for name in found:
        by_module[module_of(name)].append(name)
    table = []
    for module in sorted(by_module):
        names = sorted(by_module[module], key=_natural)
        killed = sum(found[n] in DETECTED for n in names)
        equivalent = sum(found[n] not in DETECTED and n in equivalents for n in names)
        survived = [n for n in names if found[n] not in DETECTED and n not in equivalents]
        table.append(ModuleScore(module, len(names), killed, equivalent, survived))
    return table


def render(table: list[ModuleScore], found: dict[str, str], equivalents: dict[str, str]) -> str:
    lines = [f"{'module':20} {'mutants':>8} {'killed':>7} {'equiv.':>7} {'survived':>9} {'score':>7} {'raw':>7}"]
    for row in table:
        raw = 100.0 * row.killed / row.total if row.total else 100.0
        lines.append(f"{row.module:20} {row.total:8d} {row.killed:7d} {row.equivalent:7d} "
                     f"{len(row.survived):9d} {row.score:6.1f}% {raw:6.1f}%")
    total = sum(r.total for r in table)
    killed = sum(r.killed for r in table)
    equivalent = sum(r.equivalent for r in table)
    overall = 100.0 * killed / (total - equivalent) if total > equivalent else 100.0
    lines.append(f"{'all':20} {total:8d} {killed:7d} {equivalent:7d} "
                 f"{sum(len(r.survived) for r in table):9d} {overall:6.1f}% "
                 f"{100.0 * killed / total if total else 100.0:6.1f}%")
    lines.append("score = killed / (mutants - equivalent); raw = killed / mutants")
    stale = sorted(n for n in equivalents if n not in found or found[n] in DETECTED)
    if stale:
        lines.append(f"\nlisted as equivalent but killed or gone (update {EQUIVALENTS.name}): {', '.join(stale)}")
    odd = Counter(s for s in found.values() if s not in DETECTED | {"survived"})
    if odd:
        lines.append("other statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(odd.items())))
    return "\n".join(lines)


# --- a small AST mutator, for the sampled check that runs with every test suite --------------
#
# Why by hand: mutmut's mutants exist only inside its trampolined copy of the project
# (mutants/), and testing even one of them needs its stats run over the whole suite first (about
# a minute here, more with the hidden tests). The CI sample wants a handful of mutants of the
# current solutions in seconds, applied as plain modules through --target=DIR, so it rewrites
# the AST itself with mutmut's main operator families; the full run stays mutmut's.

_SWAP_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
               ast.Pow: ast.Mult}
_SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
             ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}


@dataclass(frozen=True)
class AstMutant:
    """One mutation of a solution module: ``module:function:operator:n`` names it stably."""
    module: str
    function: str
    operator: str
    index: int
    line: int
    source: str     # the whole mutated module

    @property
    def name(self) -> str:
        return f"ast:{self.module}:{self.function}:{self.operator}:{self.index}"


def _sites(func: ast.FunctionDef):
    """(operator, node) pairs that can be mutated, skipping docstrings and error messages."""
    skip: set[int] = set()
    for node in ast.walk(func):
        if isinstance(node, (ast.Raise, ast.JoinedStr)):
            skip.update(id(n) for n in ast.walk(node))
    body = func.body[1:] if (func.body and isinstance(func.body[0], ast.Expr)
                             and isinstance(func.body[0].value, ast.Constant)) else func.body
    for stmt in body:
        for node in ast.walk(stmt):
            if id(node) in skip:
                continue
            if isinstance(node, ast.BinOp) and type(node.op) in _SWAP_BINOP:
                yield "arithmetic", node
            elif isinstance(node, ast.Compare) and type(node.ops[0]) in _SWAP_CMP:
                yield "comparison", node
            elif (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
                  and not isinstance(node.value, bool)):
                yield "constant", node
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
                yield "sign", node
            elif isinstance(node, ast.Return) and node.value is not None:
                yield "return", node


def _mutate(node: ast.AST, operator: str) -> None:
    if operator == "arithmetic":
        node.op = _SWAP_BINOP[type(node.op)]()
    elif operator == "comparison":
        node.ops[0] = _SWAP_CMP[type(node.ops[0])]()
    elif operator == "constant":
        node.value = node.value + 1
    elif operator == "sign":
        node.op = ast.UAdd()
    elif operator == "return":
        node.value = ast.Constant(None)


def ast_mutants(module: str, source: str, functions: set[str] | None = None) -> list[AstMutant]:
    """Every single-site mutant of the module's top-level (or the named) functions."""
    mutants = []
    tree = ast.parse(source)
    for f_index, func in enumerate(tree.body):
        if not isinstance(func, ast.FunctionDef) or (functions is not None and func.name not in functions):
            continue
        counts: Counter = Counter()
        for operator, node in list(_sites(func)):
            counts[operator] += 1
            mutated = ast.parse(source)
            target_func = mutated.body[f_index]
            # The same walk over a fresh tree reaches the same node at the same position.
            twin = [n for op, n in _sites(target_func) if op == operator][counts[operator] - 1]
            _mutate(twin, operator)
            mutants.append(AstMutant(module, func.name, operator, counts[operator],
                                     getattr(node, "lineno", 0), ast.unparse(mutated)))
    return mutants


def sample_ast_mutants(modules: dict[str, str], per_module: int = 2, seed: int = 2026,
                       exclude: set[str] = frozenset()) -> list[AstMutant]:
    """A deterministic sample: ``per_module`` mutants of each module's exercise functions."""
    rng = random.Random(seed)
    chosen = []
    for module in sorted(modules):
        pool = [m for m in ast_mutants(module, modules[module]) if m.name not in exclude]
        chosen += rng.sample(pool, min(per_module, len(pool)))
    return chosen


def equivalent_ast_mutants(path: Path = EQUIVALENTS) -> dict[str, str]:
    """``ast:...`` names listed as equivalent, with their reasons."""
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*[-*]\s+`(ast:[\w:]+)`\s*[:\-–]?\s*(.*)$", line)
        if m:
            found[m.group(1)] = m.group(2).strip()
    return found


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
