"""The Keras lab grades like any submission: full marks for the solution, 0 for the stubs, the
right points lost for each known mistake, a report for a broken file, the same score twice.

Every graded notebook here runs TensorFlow in a worker process, so the gradings start together
in one module-scoped fixture (threads in this process only wait on their workers) and the tests
read the results. The reduced CPU mode (``CPU_EPOCHS``) is used throughout: it is the mode CI
grades with, so these tests also prove its checks still separate right from wrong.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorflow", reason="the Keras lab needs TensorFlow: pip install '.[lab]'")
pytest.importorskip("nbformat", reason="the Keras lab needs nbformat: pip install '.[lab]'")

from autograder.course import load_course  # noqa: E402
from autograder.lab import CPU_EPOCHS, SOURCE, build_student_notebook  # noqa: E402
from autograder.lab.checks import CHECKS  # noqa: E402
from autograder.lab.grade import grade_lab, grade_lab_with_run, worker_spec  # noqa: E402
from autograder.lab.sandbox import ROOT, isolation_mode, run_worker  # noqa: E402

FULL_POINTS = sum(c.points for c in CHECKS)
DROPOUT_CHECKS = {"dropout_layers", "dropout_active_in_training", "dropout_inactive_at_inference",
                  "dropout_model_trains"}


def _mutant(tmp: Path, name: str, replacements: list[tuple[str, str]]) -> Path:
    """The reference notebook with one known mistake written into its code cells."""
    nb = json.loads(SOURCE.read_text(encoding="utf-8"))
    for old, new in replacements:
        hits = 0
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                hits += text.count(old)
                cell["source"] = text.replace(old, new)
        assert hits, f"mutation {old!r} matched nothing: the source notebook changed"
    path = tmp / f"{name}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    student = build_student_notebook(SOURCE, tmp / "student" / "keras_lab.ipynb")
    notebooks = {
        "solution": SOURCE,
        "solution_again": SOURCE,
        "student": student,
        # 1-32-32-1 whatever `hidden` says.
        "wrong_architecture": _mutant(tmp, "wrong_architecture",
                                      [("keras.layers.Dense(hidden, ", "keras.layers.Dense(32, ")]),
        "integer_rate": _mutant(tmp, "integer_rate", [("LEARNING_RATES = (1.0, ", "LEARNING_RATES = (1, ")]),
        "no_dropout": _mutant(tmp, "no_dropout", [("        if dropout > 0:\n", "        if False:\n")]),
        # Hangs in make_data: killed at the deadline; Part 1 and 2 finished before and still count.
        "hangs": _mutant(tmp, "hangs", [("    rng = np.random.default_rng(seed)\n",
                                         "    while True:\n        pass\n")]),
    }
    timeouts = {"hangs": 30.0}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(grade_lab_with_run, path, epochs=CPU_EPOCHS, timeout=timeouts.get(name))
                   for name, path in notebooks.items()}
        futures["escape"] = pool.submit(run_worker, ESCAPES, worker_spec(1, 30, 30), timeout=60)
        for weaker in ("unshare", "rlimits"):   # the fallbacks where namespaces are refused
            futures[f"student_{weaker}"] = pool.submit(grade_lab_with_run, student, epochs=CPU_EPOCHS,
                                                      isolation=weaker)
        return {name: future.result() for name, future in futures.items()}


# Each cell tries one way out of the sandbox; the worker records each cell's exception.
ESCAPES = [
    (0, "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=5)"),
    (1, f"open({str(ROOT / 'autograder' / 'lab' / 'checks.py')!r}, 'a').write('# pwned')"),
    (2, f"import os\nraise RuntimeError('tests visible: ' + str(os.listdir({str(ROOT / 'tests')!r})))"),
    (3, "import resource\nresource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY,) * 2)"),
]


def failed(results) -> set[str]:
    return {t.name for t in results.tests if t.status != "passed"}


def describe(results) -> str:
    return "\n".join(f"{t.name}: {t.feedback.render()}" for t in results.tests if t.feedback) + \
        "\n" + "\n".join(results.errors)


def test_the_solution_scores_full_marks(graded):
    results, worker = graded["solution"]
    assert results.score == results.max_score == FULL_POINTS, describe(results)
    assert not results.errors
    assert {t.exercise for t in results.tests} == {"keras_lab"}
    assert worker.data["finished"] and not worker.data["errors"]


def test_grading_twice_gives_the_same_score_and_bit_identical_losses(graded):
    (first, run1), (second, run2) = graded["solution"], graded["solution_again"]
    assert [(t.name, t.status, t.score) for t in first.tests] == [(t.name, t.status, t.score) for t in second.tests]
    losses = sorted(k for k in run1.arrays if k.startswith(("history_", "dropout_history")))
    assert len(losses) == 2 * 4 + 2
    for key in losses:
        assert np.array_equal(run1.arrays[key], run2.arrays[key], equal_nan=True), key


def test_reduced_epochs_still_separate_the_rates(graded):
    """At CPU_EPOCHS, 1.0 is far from converged and 0.1 has converged: the checks mean something."""
    _, worker = graded["solution"]
    final = {lr: float(worker.arrays[f"history_{i}_loss"][-1]) for i, lr in enumerate((1.0, 0.1, 0.01, 0.001))}
    assert not final[1.0] < 100.0          # predicting the mean scores 1.0
    assert final[0.1] < 1e-3
    assert final[0.1] < final[0.01] < final[0.001] < 1.0


def test_the_student_notebook_scores_zero_without_crashing(graded):
    results, worker = graded["student"]
    assert results.max_score == FULL_POINTS
    assert results.score == 0, describe(results)
    assert all(t.status == "failed" and t.feedback and t.feedback.rationale for t in results.tests)
    assert worker.data.get("finished"), worker.log_tail


@pytest.mark.parametrize("isolation", ["unshare", "rlimits"])
def test_the_weaker_sandboxes_grade_too(graded, isolation):
    if isolation == "unshare" and isolation_mode() == "rlimits":
        pytest.skip("user namespaces are not available on this machine")
    results, worker = graded[f"student_{isolation}"]
    assert results.isolation == isolation
    assert worker.data.get("finished"), worker.log_tail
    assert results.score == 0 and len(results.tests) == len(CHECKS)


def test_a_grader_without_tensorflow_reports_an_error_not_a_zero(tmp_path, monkeypatch):
    import autograder.lab.sandbox as sandbox
    broken = tmp_path / "worker.py"
    broken.write_text("import tensorflow_is_not_here\n", encoding="utf-8")
    monkeypatch.setattr(sandbox, "WORKER", broken)
    results = grade_lab(SOURCE, epochs=1, timeout=60)
    assert all(t.status == "error" for t in results.tests)
    assert "could not start TensorFlow" in results.errors[0]
    assert "tensorflow_is_not_here" in results.errors[0]


def test_a_wrong_architecture_loses_the_architecture_points(graded):
    results, _ = graded["wrong_architecture"]
    assert failed(results) == {"parameter_count", "layer_structure", "dropout_layers"}, describe(results)
    by_name = {t.name: t for t in results.tests}
    assert by_name["parameter_count"].feedback.expected == "321"
    assert by_name["parameter_count"].feedback.actual == str(2 * 32 + 32 * 32 + 32 + 33)


def test_an_integer_learning_rate_is_named_as_the_known_mistake(graded):
    results, _ = graded["integer_rate"]
    assert failed(results) == {"learning_rates_are_floats", "lr_1_diverges"}, describe(results)
    for test in results.tests:
        if test.status != "passed":
            assert test.feedback.misconception == "lab-integer-learning-rate"
    # Keras's own complaint reaches the student.
    diverges = next(t for t in results.tests if t.name == "lr_1_diverges")
    assert "float" in diverges.feedback.actual


def test_a_network_without_dropout_loses_the_dropout_points(graded):
    results, _ = graded["no_dropout"]
    assert failed(results) == DROPOUT_CHECKS, describe(results)
    misconceptions = {t.feedback.misconception for t in results.tests if t.status != "passed"}
    assert misconceptions == {"lab-dropout-ignored"}


@pytest.mark.parametrize("content, reason", [
    (b'{"cells": [', "not valid JSON"),
    (b'{"hello": 1}', "not a Jupyter notebook"),
    (b"\xff\xfe garbage", "not valid JSON"),
])
def test_an_unreadable_notebook_gets_a_report(tmp_path, content, reason):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    results = grade_lab(path, epochs=CPU_EPOCHS)
    assert results.score == 0 and results.max_score == FULL_POINTS
    assert results.errors and reason in results.errors[0]
    assert all(t.status == "error" and reason in t.feedback.rationale for t in results.tests)


def test_a_missing_notebook_gets_a_report(tmp_path):
    results = grade_lab(tmp_path / "nowhere.ipynb", epochs=CPU_EPOCHS)
    assert results.score == 0 and "could not be read" in results.errors[0]


def test_course_toml_lists_the_functions_the_notebook_defines_and_the_grader_calls():
    exercise = load_course().exercise("keras_lab")
    assert exercise.is_notebook and exercise.notebook == "lab/keras_lab.ipynb"
    source = SOURCE.read_text(encoding="utf-8")
    worker = (Path(__file__).resolve().parents[2] / "autograder" / "lab" / "worker.py").read_text(encoding="utf-8")
    for fn in exercise.functions:
        assert re.search(rf"def {fn}\(", source), f"the notebook does not define {fn}"
        assert f'fn("{fn}")' in worker, f"the grader never calls {fn}"


def test_the_lab_misconceptions_are_known_to_the_course():
    known = load_course().misconceptions
    for mid in ("lab-integer-learning-rate", "lab-dropout-ignored", "lab-dropout-at-inference"):
        assert known[mid].exercise == "keras_lab"


def test_a_notebook_that_hangs_is_killed_and_keeps_the_points_it_earned(graded):
    results, worker = graded["hangs"]
    assert worker.timed_out
    assert any("did not finish within" in e for e in results.errors)
    passed = {t.name for t in results.tests if t.status == "passed"}
    assert {"surface_values", "activation_derivatives"} <= passed
    assert {"make_data", "lr_1_diverges", "train_history"} <= failed(results)


@pytest.mark.skipif(isolation_mode() != "unshare+ro", reason="needs user namespaces (unshare) on this machine")
def test_the_worker_has_no_network_no_writable_repository_and_no_tests(graded):
    worker = graded["escape"]
    errors = worker.data["cell_errors"]
    assert len(errors) == 4, errors
    assert "unreachable" in errors[0] or "OSError" in errors[0]
    # A repository under /tmp (as in CI) is not there at all inside the worker's private /tmp;
    # elsewhere it is there, read-only, with tests/ and solutions/ hidden under empty mounts.
    assert "Read-only file system" in errors[1] or "No such file or directory" in errors[1]
    assert "tests visible: []" in errors[2] or "No such file or directory" in errors[2]
    assert "not permitted" in errors[3] or "ValueError" in errors[3]
    assert "# pwned" not in (ROOT / "autograder" / "lab" / "checks.py").read_text(encoding="utf-8")


def test_autograder_grade_sends_the_lab_to_the_lab_grader(tmp_path):
    """`autograder grade` on the lab notebook alone, and on modules handed in beside it."""
    import shutil

    from autograder.grading import grade

    student = build_student_notebook(SOURCE, tmp_path / "nb" / "keras_lab.ipynb")
    alone = grade(student, lab_epochs=1)
    assert alone.tests and {t.exercise for t in alone.tests} == {"keras_lab"}
    assert alone.score == 0
    both_dir = tmp_path / "both"
    both_dir.mkdir()
    for module in (ROOT / "solutions").glob("*.py"):
        shutil.copy(module, both_dir / module.name)
    shutil.copy(student, both_dir / "keras_lab.ipynb")
    both = grade(both_dir, isolate=False, tests=[ROOT / "tests" / "public"], lab_epochs=1)
    by_exercise = both.by_exercise()
    assert "keras_lab" in by_exercise and "gd" in by_exercise
    assert all(t.status == "passed" for t in by_exercise["gd"])
    assert sum(t.score for t in by_exercise["keras_lab"]) == 0
