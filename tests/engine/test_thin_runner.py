"""The session's thin test loop gives exactly the Results of pytest's own protocol.

The thin loop (:mod:`autograder.session`) calls each collected test function itself, with its
parameters and the grading fixtures; pytest still collects, parametrises and reads the markers.
These tests grade the same submissions both ways, on the whole course suite and on a small suite
written to reach every outcome (failures, errors, set-up errors, skips, expected failures,
partial credit), and compare every field of every result but the timings.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from autograder import session
from autograder.grading import REPO_ROOT, default_test_dirs, grade_many
from autograder.reporters import without_timings

SOLUTIONS = REPO_ROOT / "solutions"
STUBS = REPO_ROOT / "assignments"
EXAMPLE = REPO_ROOT / "examples" / "submission"


def _graded_both_ways(monkeypatch, submissions, tests) -> tuple[list[dict], list[dict]]:
    thin_runs = []
    real_run = session._ThinRunner.run

    def counted(self, state):
        thin_runs.append(len(self.items))
        return real_run(self, state)

    monkeypatch.setattr(session._ThinRunner, "run", counted)
    thin = grade_many(submissions, tests=tests, test_loop="thin")
    # The thin loop really ran (isolated grading, every test a plain function), once per job.
    assert len(thin_runs) == len(submissions) and thin_runs[0] > 0
    protocol = grade_many(submissions, tests=tests, test_loop="pytest")
    assert len(thin_runs) == len(submissions)          # the reference never used the thin loop
    return ([without_timings(r).to_dict() for r in thin],
            [without_timings(r).to_dict() for r in protocol])


def _broken_copy(tmp_path: Path) -> Path:
    """The reference with a few functions that raise or are wrong: errors, failures and partial
    credit next to passes."""
    broken = tmp_path / "broken"
    shutil.copytree(SOLUTIONS, broken)
    with open(broken / "activations.py", "a", encoding="utf-8") as fh:
        fh.write("\n\ndef sigmoid(*args, **kwargs):\n    raise RuntimeError('boom')\n")
    with open(broken / "gradient_descent.py", "a", encoding="utf-8") as fh:
        # Right for zero steps only: test_gd_edge_cases keeps its first third.
        fh.write("\n\n_gd = gd\n\ndef gd(grad, x0, eta, steps):\n"
                 "    return _gd(grad, x0, eta, steps) if steps == 0 else None\n")
    return broken


def test_the_thin_loop_grades_the_whole_suite_as_pytest_does(monkeypatch, tmp_path):
    submissions = [SOLUTIONS, STUBS, EXAMPLE, _broken_copy(tmp_path)]
    thin, protocol = _graded_both_ways(monkeypatch, submissions, default_test_dirs())
    assert thin == protocol
    tests = [t for r in thin for t in r["tests"]]
    # What the comparison covered: passes, failures (a sandboxed submission's exceptions come
    # back as failures that name them), diagnosed mistakes and partial credit; the suite below
    # reaches the other outcomes.
    assert {t["status"] for t in tests} >= {"passed", "failed"}
    assert any("RuntimeError: boom" in (t["feedback"] or {}).get("rationale", "") for t in tests)
    assert any(0 < t["score"] < t["max_score"] for t in tests)
    assert any((t["feedback"] or {}).get("misconception") for t in tests)


OUTCOMES_SUITE = '''
import pytest

from autograder.feedback import Failure


@pytest.mark.exercise("gd")
def test_passes(target):
    assert target.gradient_descent.constant_lr(3) == 1.0


@pytest.mark.exercise("gd")
@pytest.mark.points(2)
@pytest.mark.parametrize("step, expected", [(0, 1.0), (1, 2.0)])
def test_parametrised(target, step, expected):
    value = target.gradient_descent.constant_lr(step)
    assert value == expected, "constant_lr moved"


@pytest.mark.exercise("gd")
def test_structured_failure(target):
    raise Failure("the trajectory is wrong", expected="1.0", actual="2.0", hint="look again")


@pytest.mark.exercise("gd")
@pytest.mark.points(3)
def test_partial_credit(target, credit):
    credit.award(1 / 3, "first part")
    assert target.gradient_descent.constant_lr(0) == 1.0
    credit.award(2 / 3, "second part")
    raise ValueError("the third part broke")


@pytest.mark.exercise("gd")
def test_skipped_inside(target):
    pytest.skip("not on this machine")


@pytest.mark.exercise("gd")
def test_expected_failure_inside(target):
    pytest.xfail("known to fail")


@pytest.mark.exercise("gd")
def test_variant_set_up_fails(target, variant):
    assert variant["gd"]


@pytest.mark.exercise("gd")
def test_missing_function(target):
    target.gradient_descent.no_such_function()


def test_not_graded():
    assert False
'''


def test_the_thin_loop_reaches_every_outcome_as_pytest_does(monkeypatch, tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (suite / "test_outcomes.py").write_text(textwrap.dedent(OUTCOMES_SUITE), encoding="utf-8")
    # An unreadable variant file at the suite's root: the variant fixture fails to set up.
    (suite / "variant.json").write_text("{not json", encoding="utf-8")
    thin, protocol = _graded_both_ways(monkeypatch, [SOLUTIONS, STUBS], [suite])
    assert thin == protocol
    statuses = {t["name"]: t["status"] for t in thin[0]["tests"]}
    assert statuses == {
        "test_passes": "passed", "test_parametrised[0-1.0]": "passed",
        "test_parametrised[1-2.0]": "failed", "test_structured_failure": "failed",
        "test_partial_credit": "error", "test_skipped_inside": "skipped",
        "test_expected_failure_inside": "skipped", "test_variant_set_up_fails": "error",
        "test_missing_function": "failed"}
    partial = next(t for t in thin[0]["tests"] if t["name"] == "test_partial_credit")
    # Its share of gd's 15 points under the points rule: a positive multiple of 1/8.
    assert partial["max_score"] > 0 and (partial["max_score"] * 8).is_integer()
    assert partial["score"] == pytest.approx(partial["max_score"] * 2 / 3, abs=1e-6)


def test_a_test_the_thin_loop_cannot_run_exactly_sends_the_session_to_pytest(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_other.py").write_text(textwrap.dedent('''
        import pytest

        @pytest.mark.exercise("gd")
        def test_uses_tmp_path(target, tmp_path):
            assert tmp_path.is_dir()
    '''), encoding="utf-8")
    results = grade_many([SOLUTIONS], tests=[suite])
    assert [t.status for t in results[0].tests] == ["passed"]
