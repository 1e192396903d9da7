"""The points rule is stated in course.toml and the totals follow it: every module exercise is
worth the same 15 points, the Keras lab its own 37, each split across its tests in proportion to
their points markers in steps of 1/8. The course's maximum is counted here from the manifest
(module exercises x 15 + the lab's 37), and README must state that same number."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from autograder import points
from autograder.course import load_course

ROOT = Path(__file__).resolve().parents[2]
COURSE = load_course()
MODULE_EXERCISES = [e.id for e in COURSE.exercises if e.kind == "module"]
#: Exercises graded by hand only (written questions): worth no automatic points.
WRITTEN_EXERCISES = [e.id for e in COURSE.exercises if e.kind == "written"]


def manifest_maximum() -> tuple[int, int, int, int]:
    """(module exercises, worth of each, the lab's own worth, the maximum), counted from the
    manifest's text itself rather than through autograder.points, which this file tests."""
    manifest = tomllib.loads((ROOT / "autograder" / "course.toml").read_text(encoding="utf-8"))
    table = manifest["points"]
    modules = [e["id"] for e in manifest["exercise"] if e.get("kind", "module") == "module"]
    own = table.get("exercise", {})
    # the lab has its own worth; the written questions none (graded by hand, outside the total)
    assert own == {"keras_lab": own["keras_lab"], **{e: 0 for e in WRITTEN_EXERCISES}}, own
    return len(modules), table["per_exercise"], own["keras_lab"], len(modules) * table["per_exercise"] + own["keras_lab"]


def test_course_toml_states_the_rule():
    per_exercise, own = points.rule()
    assert per_exercise == 15 and own == {"keras_lab": 37, **{e: 0 for e in WRITTEN_EXERCISES}}
    assert WRITTEN_EXERCISES == ["written_questions"]
    assert set(own) <= {e.id for e in COURSE.exercises}
    modules, each, lab, maximum = manifest_maximum()
    assert modules == len(MODULE_EXERCISES) and (each, lab) == (15, 37)
    assert points.maximum([e.id for e in COURSE.exercises]) == maximum == modules * 15 + 37


@pytest.mark.parametrize("weights", [[1] * 31, [1] * 6, [2, 1, 1, 2, 1], [1, 1, 1, 0], [3], [1] * 7 + [2] * 3])
def test_a_split_sums_exactly_in_eighths_and_follows_the_weights(weights):
    shares = points.split(Fraction(15), weights)
    assert sum(shares) == 15 and sum(float(s) for s in shares) == 15.0
    assert all((s * 8).denominator == 1 for s in shares)
    for a, wa in zip(shares, weights):
        for b, wb in zip(shares, weights):
            if wa > wb:
                assert a >= b                  # a heavier test is never worth less
            if wa == wb:
                assert abs(a - b) <= Fraction(1, 8)
    assert points.split(Fraction(15), weights) == shares     # the same every run


def test_the_graded_suites_give_every_module_exercise_exactly_its_worth(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=no",
                           "--target=solutions", f"--results-json={out}", "tests/public", "tests/hidden",
                           f"--ignore={ROOT / 'tests' / 'hidden' / 'test_keras_lab.py'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    results = json.loads(out.read_text())
    totals = Counter()
    manual = [t for t in results["tests"] if t["status"] == "manual"]
    # the written questions: graded by hand, no automatic points, their own points recorded
    assert {t["exercise"] for t in manual} == set(WRITTEN_EXERCISES)
    assert all(t["max_score"] == 0 and t["manual_points"] > 0 for t in manual)
    for test in results["tests"]:
        if test["status"] == "manual":
            continue
        totals[test["exercise"]] += test["max_score"]
        assert test["max_score"] > 0, test["nodeid"]          # no test is worth nothing
    assert dict(totals) == {e: 15.0 for e in MODULE_EXERCISES}
    assert results["max_score"] == 15.0 * len(MODULE_EXERCISES) == results["score"]


def test_the_readme_states_the_rule_and_the_maximum():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    modules, each, lab, maximum = manifest_maximum()
    assert "every exercise is worth the same" in readme
    stated = re.search(r"the course's maximum is (\d+) x (\d+) \+ (\d+) = (\d+) points", readme)
    assert stated, "README no longer states the course's maximum as 'N x 15 + 37 = M points'"
    assert tuple(int(g) for g in stated.groups()) == (modules, each, lab, maximum)
    assert f"the Keras lab, a whole notebook, is worth {lab}" in readme
