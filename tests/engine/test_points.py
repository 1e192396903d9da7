"""The points rule is stated in course.toml and the totals follow it: every module exercise is
worth the same 15 points, the Keras lab 24, each split across its tests in proportion to their
points markers in steps of 1/8, so the course's maximum is 21 x 15 + 24 = 339."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from autograder import points
from autograder.course import load_course

ROOT = Path(__file__).resolve().parents[2]
COURSE = load_course()
MODULE_EXERCISES = [e.id for e in COURSE.exercises if not e.is_notebook]


def test_course_toml_states_the_rule():
    per_exercise, own = points.rule()
    assert per_exercise == 15 and own == {"keras_lab": 24}
    assert set(own) <= {e.id for e in COURSE.exercises}
    assert points.maximum([e.id for e in COURSE.exercises]) == 339 == 21 * 15 + 24
    assert len(MODULE_EXERCISES) == 21


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
    for test in results["tests"]:
        totals[test["exercise"]] += test["max_score"]
        assert test["max_score"] > 0, test["nodeid"]          # no test is worth nothing
    assert dict(totals) == {e: 15.0 for e in MODULE_EXERCISES}
    assert results["max_score"] == 315.0 == results["score"]


def test_the_readme_states_the_rule_and_the_maximum():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "every exercise is worth the same" in readme and "339 points" in readme
