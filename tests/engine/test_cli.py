"""``autograder grade``: scores of known submissions, bad inputs, exit codes, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.cli import EXIT_GRADED, EXIT_NOT_GRADED, main
from autograder.course import load_course
from autograder.grading import REPO_ROOT, grade
from autograder.reporters import FORMATS, without_timings

EXAMPLE = REPO_ROOT / "examples" / "submission"
GD_TESTS = REPO_ROOT / "tests" / "public" / "test_gradient_descent.py"
COURSE = load_course()

# What the example gets right and wrong (examples/README.md).
EXAMPLE_RIGHT = {"gd", "sgd", "nesterov", "adagrad", "adam", "newton", "critical_points", "hvp",
                 "power_iteration"}
EXAMPLE_WRONG = {"lr_schedules": "lr-exp-sign", "momentum": "momentum-d2l-form",
                 "rmsprop": "rmsprop-missing-one-minus-gamma", "clipping": None,
                 "activations": "tanh-grad-one-minus-x-squared",
                 "batchnorm": "batchnorm-unbiased-variance",
                 "stable_lr": "stable-lr-one-over-lambda", "taylor": "taylor-no-half",
                 "dropout": "dropout-keep-vs-drop", "initialization": "init-variance-as-std"}
# Exercises of modules the example hands in whose functions it does not define (not yet attempted).
EXAMPLE_NOT_ATTEMPTED = {"piecewise_lr", "adadelta", "nadam", "batchnorm_backward",
                         "batchnorm_running_stats", "newton_method"}


def _cli(capsys, *args) -> tuple[int, str, str]:
    code = main(["grade", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_example_scores_what_its_mistakes_cost():
    # Public gradient-descent tests: 9 exercises of 15 points each (course.toml's [points] rule);
    # gd, sgd, nesterov, adagrad and adam pass, and lr_schedules, momentum, rmsprop and clipping
    # (one public test each) are lost to known mistakes.
    public = grade(EXAMPLE, tests=[GD_TESTS])
    assert (public.score, public.max_score, public.errors) == (75.0, 135.0, [])

    results = grade(EXAMPLE)
    assert results.errors == []
    provided = {p.stem for p in EXAMPLE.glob("*.py")}
    for exercise, tests in results.by_exercise().items():
        module = COURSE.exercise(exercise).module
        if module not in provided:
            assert all(t.score == 0 and "missing from your submission" in t.feedback.rationale
                       for t in tests), exercise
        elif exercise in EXAMPLE_NOT_ATTEMPTED:
            assert all(t.score == 0 and "has no function" in t.feedback.rationale
                       for t in tests), exercise
        elif exercise in EXAMPLE_RIGHT or exercise not in EXAMPLE_WRONG:
            # An exercise added to a module the example provides must be listed above.
            assert exercise in EXAMPLE_RIGHT, f"say in examples/README.md how the example does on {exercise}"
            assert all(t.status == "passed" for t in tests), (exercise, [t.feedback for t in tests])
        else:
            failed = [t for t in tests if t.status != "passed"]
            assert failed, exercise
            mistake = EXAMPLE_WRONG[exercise]
            if mistake:
                assert any(t.feedback.misconception == mistake for t in failed), exercise


def test_the_reference_solutions_get_full_marks():
    results = grade(REPO_ROOT / "solutions")
    assert results.errors == [] and results.tests
    # The modules alone: full marks on every module exercise; the lab's notebook is not there
    # (tests/lab/test_lab_grading.py grades the reference notebook).
    modules = [t for t in results.tests if not COURSE.exercise(t.exercise).is_notebook]
    assert sum(t.score for t in modules) == sum(t.max_score for t in modules) > 0, \
        [t for t in modules if t.status != "passed"]
    lab = [t for t in results.tests if COURSE.exercise(t.exercise).is_notebook]
    assert lab and all(t.score == 0 and "missing from your submission" in t.feedback.rationale for t in lab)


def test_the_stubs_get_zero_and_are_told_what_to_write():
    results = grade(REPO_ROOT / "assignments")
    assert results.errors == [] and results.tests
    assert results.score == 0
    # The written questions are graded by hand, and the stub's answer sheet holds no answer.
    written = [t for t in results.tests if COURSE.exercise(t.exercise).kind == "written"]
    assert written and all(t.status == "manual" and "No answer was found below question"
                           in t.feedback.rationale for t in written)
    assert all(t.status == "failed" for t in results.tests if t not in written)
    assert all("not implemented" in t.feedback.rationale for t in results.tests
               if t.visibility == "visible" and t.suite == "public")


def test_the_default_report_is_a_table(capsys):
    code, out, _ = _cli(capsys, EXAMPLE, "--tests", GD_TESTS)
    assert code == EXIT_GRADED
    assert "Score: 75 / 135" in out and "momentum-d2l-form" in out and "Total" in out


def _gd_module(tmp_path: Path, source: str) -> Path:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "gradient_descent.py").write_text(source)
    return sub


@pytest.mark.parametrize("source, says", [
    ("def gd(:\n    pass\n", "SyntaxError"),
    ("import numpy as np\n", "has no function `gd`"),
    ("raise RuntimeError('boom at import')\n", "RuntimeError: boom at import"),
])
def test_broken_code_is_graded_with_a_reason(tmp_path, capsys, source, says):
    code, out, _ = _cli(capsys, _gd_module(tmp_path, source), "--tests", GD_TESTS, "--format", "json")
    assert code == EXIT_GRADED
    data = json.loads(out)
    assert data["score"] == 0 and data["errors"] == []
    gd_tests = [t for t in data["tests"] if t["exercise"] == "gd"]
    assert gd_tests and all(says in t["feedback"]["rationale"] for t in gd_tests)


def _empty_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w"):
        pass
    return path


def _traversal_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("gradient_descent.py", "def gd(*a): return 0\n")
        zf.writestr("../../escaped.py", "print('out')\n")
    return path


@pytest.mark.parametrize("make, says", [
    (lambda d: _empty_zip(d / "empty.zip"), "empty zip"),
    (lambda d: _traversal_zip(d / "evil.zip"), "outside the archive"),
    (lambda d: (d / "lab.ipynb").write_text("not json {") and d / "lab.ipynb", "not valid JSON"),
    (lambda d: (d / "notes.txt").write_text("my answers") and d / "notes.txt", "not something"),
])
def test_ungradable_submissions_get_a_report_and_exit_2(tmp_path, capsys, make, says):
    code, out, err = _cli(capsys, make(tmp_path), "--tests", GD_TESTS, "--format", "gradescope")
    assert code == EXIT_NOT_GRADED
    assert says in err
    data = json.loads(out)
    assert data["score"] == 0 and says in data["output"]
    assert len(data["tests"]) == 11
    assert all(t["status"] == "failed" and says in t["output"] for t in data["tests"])
    assert not (tmp_path.parent / "escaped.py").exists()


def test_a_single_py_file_is_graded(tmp_path, capsys):
    src = tmp_path / "answers.py"
    src.write_text((EXAMPLE / "gradient_descent.py").read_text())
    code, out, _ = _cli(capsys, src, "--tests", GD_TESTS, "--format", "exercism")
    assert code == EXIT_GRADED
    data = json.loads(out)
    assert data["status"] == "fail" and sum(t["status"] == "pass" for t in data["tests"]) == 7


def test_a_notebook_is_graded(tmp_path, capsys):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "%load_ext autoreload\n" + (EXAMPLE / "gradient_descent.py").read_text()}]}
    path = tmp_path / "lab.ipynb"
    path.write_text(json.dumps(nb))
    code, out, _ = _cli(capsys, path, "--tests", GD_TESTS, "--format", "json", "--no-timings")
    assert code == EXIT_GRADED and json.loads(out)["score"] == 75.0


def test_an_output_file_gets_the_report(tmp_path, capsys):
    out_file = tmp_path / "results" / "results.json"
    code, out, err = _cli(capsys, EXAMPLE, "--tests", GD_TESTS, "--format", "gradescope",
                          "--output", out_file)
    assert code == EXIT_GRADED and out == "" and "75 / 135" in err
    assert json.loads(out_file.read_text())["score"] == 75.0


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_gradings_give_byte_identical_reports(capsys, fmt):
    args = (EXAMPLE, "--format", fmt, "--no-timings")
    first, second = _cli(capsys, *args), _cli(capsys, *args)
    assert first[0] == second[0] == EXIT_GRADED
    assert first[1] == second[1]


def test_the_subprocess_runner_gives_the_same_results():
    inproc = without_timings(grade(EXAMPLE, tests=[GD_TESTS]))
    subproc = without_timings(grade(EXAMPLE, tests=[GD_TESTS], runner="subprocess"))
    assert subproc.to_dict() == inproc.to_dict()


def test_python_dash_m_autograder_works(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(EXAMPLE), "--tests",
                           str(GD_TESTS), "--format", "json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert proc.returncode == EXIT_GRADED, proc.stderr
    assert json.loads(proc.stdout)["score"] == 75.0


def test_usage_errors_do_not_grade(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["grade", str(EXAMPLE), "--format", "pdf"])
    assert exc.value.code == EXIT_NOT_GRADED


def test_a_path_that_is_not_there_is_a_usage_error_not_a_report(tmp_path, capsys):
    # A typo in the command is not a submission that scored 0: one line, nothing graded.
    code, out, err = _cli(capsys, tmp_path / "does-not-exist", "--format", "gradescope")
    assert code == EXIT_NOT_GRADED and out == ""
    assert err.splitlines() == [f"autograder grade: error: there is no file or folder at "
                                f"'{tmp_path / 'does-not-exist'}': give the submission's folder, "
                                ".py file, .zip or .ipynb"]


def test_missing_tests_are_reported_not_crashed(tmp_path, capsys):
    code, out, err = _cli(capsys, EXAMPLE, "--tests", tmp_path / "nope")
    assert code == EXIT_NOT_GRADED and out == ""
    assert "no file or folder" in err and "--tests takes a folder" in err
