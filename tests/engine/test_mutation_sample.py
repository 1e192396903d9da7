"""The CI slice of mutation testing: a deterministic sample of mutants of the solutions must fail.

The full run is mutmut's (``python -m autograder.mutation``, minutes; scores in the README).
Here a small AST mutator (autograder/mutation.py says why it is hand-written) makes two mutants
per solution module, each graded like a submission by the public and hidden suites; every one
must lose points, unless it is listed with its reason in tests/misconceptions/EQUIVALENT_MUTANTS.md.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from autograder.mutation import ast_mutants, equivalent_ast_mutants, sample_ast_mutants

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"


def _modules() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SOLUTIONS.glob("*.py"))
            if p.stem != "__init__"}


def _harness():
    path = ROOT / "tests" / "misconceptions" / "_harness.py"
    spec = importlib.util.spec_from_file_location("_misconception_harness", path)
    module = sys.modules.get(spec.name) or importlib.util.module_from_spec(spec)
    if spec.name not in sys.modules:
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


SAMPLE = sample_ast_mutants(_modules(), per_module=2, exclude=set(equivalent_ast_mutants()))


def test_the_mutator_is_deterministic_and_covers_every_operator():
    modules = _modules()
    again = sample_ast_mutants(modules, per_module=2, exclude=set(equivalent_ast_mutants()))
    assert [m.name for m in again] == [m.name for m in SAMPLE]
    operators = {m.operator for src in [modules] for name, text in src.items()
                 for m in ast_mutants(name, text)}
    assert operators == {"arithmetic", "comparison", "constant", "sign", "return"}
    assert all(m.source != modules[m.module] for m in SAMPLE)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mutants")
    subs = {}
    for mutant in SAMPLE:
        dest = tmp / mutant.name.replace(":", "__")
        dest.mkdir()
        for src in SOLUTIONS.glob("*.py"):
            shutil.copy(src, dest / src.name)
        (dest / f"{mutant.module}.py").write_text(mutant.source, encoding="utf-8")
        subs[mutant.name] = dest
    return _harness().grade_all(subs, tmp, workers=2, extra=("-x",))


@pytest.mark.parametrize("mutant", SAMPLE, ids=[m.name for m in SAMPLE])
def test_sampled_mutant_is_killed(graded, mutant):
    results = graded[mutant.name]
    failed = [t["nodeid"] for t in results["tests"] if t["status"] in ("failed", "error")]
    assert failed, (f"{mutant.name} (line {mutant.line}) survives every test: kill it with a test in "
                    f"tests/hidden/test_mutants_{mutant.module}.py or list it as equivalent")
