"""The Keras lab is graded by the one engine like any submission: full marks for the solution, 0
for the stubs, the right points lost for each known mistake, the same score twice, and nothing a
hostile notebook does gains a point, reads a hidden file or outlives its grading.

Every notebook is graded through ``grade_many`` (the session, the sandbox, the lab's tests in
``tests/hidden/test_keras_lab.py``) in the reduced CPU mode that CI grades with, so these tests
also prove its checks still separate right from wrong. The gradings share one session per
isolation level (module-scoped fixtures) and the tests read their results.
"""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

pytest.importorskip("tensorflow", reason="the Keras lab needs TensorFlow: pip install '.[lab]'")
pytest.importorskip("nbformat", reason="the Keras lab needs nbformat: pip install '.[lab]'")

from autograder.course import load_course  # noqa: E402
from autograder.grading import Job, grade, grade_many  # noqa: E402
from autograder.lab import CPU_EPOCHS, SOURCE, build_student_notebook  # noqa: E402
from autograder.lab.spec import WRITTEN_QUESTIONS  # noqa: E402
from autograder.sandbox import isolation  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LAB_TESTS = ROOT / "tests" / "hidden" / "test_keras_lab.py"
HOSTILE = ROOT / "tests" / "engine" / "hostile" / "notebooks"
FULL_POINTS = 37.0
DROPOUT_CHECKS = {"test_dropout_layers", "test_dropout_active_in_training",
                  "test_dropout_inactive_at_inference", "test_dropout_model_trains"}


def _mutant(tmp: Path, name: str, replacements: list[tuple[str, str]], source: Path = SOURCE) -> Path:
    """A notebook with code written into its code cells (a known mistake, or an attack)."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    for old, new in replacements:
        hits = 0
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                hits += text.count(old)
                cell["source"] = text.replace(old, new)
        assert hits, f"mutation {old!r} matched nothing: the source notebook changed"
    path = tmp / name / "keras_lab.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _lab(results) -> list:
    return [t for t in results.tests if t.exercise == "keras_lab"]


def _failed(results) -> set[str]:
    """The automatic checks that did not pass (a written question is graded by hand)."""
    return {t.name for t in _lab(results) if t.status not in ("passed", "manual")}


def _describe(results) -> str:
    return "\n".join(f"{t.name}: {t.feedback.render()}" for t in _lab(results)
                     if t.feedback and t.status != "manual") + \
        "\n" + "\n".join(results.errors)


def _score(results) -> float:
    return sum(t.score for t in _lab(results))


def _grade_all(notebooks: dict[str, Path]) -> dict:
    results = grade_many([Job(path, lab_epochs=CPU_EPOCHS) for path in notebooks.values()],
                         tests=[LAB_TESTS])
    return dict(zip(notebooks, results))


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    return build_student_notebook(SOURCE, tmp_path_factory.mktemp("student") / "keras_lab.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, student):
    tmp = tmp_path_factory.mktemp("lab")
    return _grade_all({
        "solution": SOURCE,
        "solution_again": SOURCE,
        "student": student,
        # 1-32-32-1 whatever `hidden` says.
        "wrong_architecture": _mutant(tmp, "wrong_architecture",
                                      [("keras.layers.Dense(hidden, ", "keras.layers.Dense(32, ")]),
        "integer_rate": _mutant(tmp, "integer_rate", [("LEARNING_RATES = (1.0, ", "LEARNING_RATES = (1, ")]),
        "no_dropout": _mutant(tmp, "no_dropout", [("        if dropout > 0:\n", "        if False:\n")]),
        "new_steps_wrong": _mutant(tmp, "new_steps_wrong", NEW_STEP_MISTAKES),
    })


def test_the_solution_scores_full_marks(graded):
    results = graded["solution"]
    assert _score(results) == FULL_POINTS == sum(t.max_score for t in _lab(results)), _describe(results)
    assert results.isolation.startswith(("bubblewrap", "unshare"))


def test_grading_twice_gives_the_same_results(graded):
    first, second = graded["solution"], graded["solution_again"]
    assert [(t.name, t.status, t.score, t.feedback) for t in _lab(first)] == \
        [(t.name, t.status, t.score, t.feedback) for t in _lab(second)]


def test_the_student_notebook_scores_zero_with_a_reason_per_test(graded):
    results = graded["student"]
    assert sum(t.max_score for t in _lab(results)) == FULL_POINTS
    assert _score(results) == 0, _describe(results)
    automatic = [t for t in _lab(results) if t.status != "manual"]
    assert all(t.status in ("failed", "error") and t.feedback and t.feedback.rationale for t in automatic)
    # Each written question: listed for the instructor, and saying that no answer was written.
    assert [t.manual_points for t in results.manual] == [q.points for q in WRITTEN_QUESTIONS]
    assert all("No answer was found below question" in t.feedback.rationale for t in results.manual)


def test_the_solution_lists_its_written_answers_as_graded_by_hand(graded):
    results = graded["solution"]
    assert [(t.name, t.manual_points, t.score, t.max_score) for t in results.manual] == \
        [(f"test_written_answer[{q.label}]", q.points, 0, 0) for q in WRITTEN_QUESTIONS]
    assert all("\nAnswer:\n" in t.feedback.rationale for t in results.manual)
    assert results.lab == {"device": "CPU", "epochs": CPU_EPOCHS}


#: One mistake in each step issue 20 added, each caught by its own check and by no other.
NEW_STEP_MISTAKES = [
    # maxima taken for saddles: the critical points and the markers drawn from them
    ("            elif kind_x != kind_y:", "            elif kind_x == kind_y == \"max\":"),
    # tanh drawn at half its size
    ('ax.plot(x, values["tanh"], label="tanh")', 'ax.plot(x, values["tanh"] / 2, label="tanh")'),
    # the last third held out, unshuffled
    ("    test, training = order[:n_test], order[n_test:]",
     "    test, training = np.arange(n)[n - n_test:], np.arange(n)[:n - n_test]"),
    # the loss of ten test samples, not of the test set
    ("return float(model.evaluate(X_test, y_test, verbose=0))",
     "return float(model.evaluate(X_test[:10], y_test[:10], verbose=0))"),
    # a made-up time
    ('"seconds": time.perf_counter() - started}', '"seconds": 10.0 * epochs}'),
    # memory growth on every device, the CPU too
    ('    gpus = config.list_physical_devices("GPU")', "    gpus = config.list_physical_devices()"),
]


def test_each_new_step_s_mistake_is_caught_by_its_own_check(graded):
    results = graded["new_steps_wrong"]
    assert _failed(results) == {"test_critical_points", "test_plot_marks_critical_points",
                                "test_plot_sigmoid_vs_tanh", "test_split_data", "test_test_loss",
                                "test_training_times", "test_gpu_memory_growth"}, _describe(results)


def test_a_wrong_architecture_loses_the_architecture_points(graded):
    results = graded["wrong_architecture"]
    assert _failed(results) == {"test_parameter_count", "test_layer_structure", "test_dropout_layers"}, \
        _describe(results)
    count = next(t for t in _lab(results) if t.name == "test_parameter_count")
    assert count.feedback.expected == "321"
    assert count.feedback.actual == str(2 * 32 + 32 * 32 + 32 + 33)


def test_an_integer_learning_rate_is_named_as_the_known_mistake(graded):
    results = graded["integer_rate"]
    assert _failed(results) == {"test_learning_rates_are_floats", "test_lr_1_diverges"}, _describe(results)
    for test in _lab(results):
        if test.status not in ("passed", "manual"):
            assert test.feedback.misconception == "lab-integer-learning-rate"


def test_a_network_without_dropout_loses_the_dropout_points(graded):
    results = graded["no_dropout"]
    assert _failed(results) == DROPOUT_CHECKS, _describe(results)
    assert {t.feedback.misconception for t in _lab(results) if t.status not in ("passed", "manual")} == {"lab-dropout-ignored"}


@pytest.mark.parametrize("content, reason", [
    (b'{"cells": [', "not valid JSON"),
    (b'{"hello": 1}', "not a Jupyter notebook"),
    (b"\xff\xfe garbage", "not valid JSON"),
])
def test_an_unreadable_notebook_gets_a_report_for_every_lab_test(tmp_path, content, reason):
    path = tmp_path / "keras_lab.ipynb"
    path.write_bytes(content)
    results = grade(path, tests=[LAB_TESTS], lab_epochs=CPU_EPOCHS)
    assert _score(results) == 0 and sum(t.max_score for t in _lab(results)) == FULL_POINTS
    assert all(reason in t.feedback.rationale for t in _lab(results)), _describe(results)


def test_modules_without_the_notebook_keep_the_lab_in_the_maximum(tmp_path):
    """The maximum is the assignment's: a missing notebook scores 0 with one clear reason."""
    results = grade(ROOT / "solutions", tests=[LAB_TESTS])
    assert sum(t.max_score for t in _lab(results)) == FULL_POINTS and _score(results) == 0
    assert all("keras_lab.ipynb is missing from your submission" in t.feedback.rationale for t in _lab(results))


def test_course_toml_lists_the_functions_the_notebook_defines_and_the_tests_call():
    exercise = load_course().exercise("keras_lab")
    assert exercise.is_notebook and exercise.notebook == "lab/keras_lab.ipynb"
    source = SOURCE.read_text(encoding="utf-8")
    tests = LAB_TESTS.read_text(encoding="utf-8") + \
        (ROOT / "autograder" / "lab" / "session.py").read_text(encoding="utf-8")
    for fn in exercise.functions:
        assert f"def {fn}(" in source, f"the notebook does not define {fn}"
        assert f'"{fn}"' in tests, f"no test calls {fn}"


# -- hostile notebooks -----------------------------------------------------------------------------
#
# Each is the student notebook (whose lab score is 0) with an attack written into a class body,
# which runs when the grader's worker imports the notebook's definitions. Each must score exactly
# the student notebook's 0, and leave nothing behind.

SECRET_MARKERS = ("BEGIN SOLUTION", "def gd(", '"cases"', "ground_truth.load")


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the host's loopback that records whatever reaches it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    received.append(conn.recv(1024))
                except OSError:
                    received.append(b"connected")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join(timeout=2)
    server.close()


def _hostile_notebooks(tmp: Path, student: Path, port: int) -> dict[str, Path]:
    planted = ROOT / "tests" / "public" / "conftest.py"
    values = {"ROOT": str(ROOT), "PLANTED": str(planted), "PORT": str(port),
              "RESULTS": str(tmp / "forged-results.json")}
    out = {}
    for attack in sorted(HOSTILE.glob("*.py")):
        code = attack.read_text(encoding="utf-8")
        for key, value in values.items():
            code = code.replace(f"@{key}@", value)
        out[attack.stem] = _with_cell(tmp, attack.stem, student, code)
    return out


def _with_cell(tmp: Path, name: str, source: Path, code: str) -> Path:
    """``source`` with one more code cell at the end (its definitions replace the notebook's)."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": f"attack-{name}"[:64],
                        "metadata": {}, "outputs": [], "source": code})
    path = tmp / name / "keras_lab.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _hostile_graded(tmp_path_factory, student, listener, levels: str | None):
    tmp = tmp_path_factory.mktemp("hostile")
    notebooks = _hostile_notebooks(tmp, student, listener[0])
    mp = pytest.MonkeyPatch()
    if levels is not None:
        if not isolation.namespaces_work("unshare"):
            pytest.skip("this machine cannot make unshare's namespaces")
        mp.setenv("AUTOGRADER_SANDBOX_LEVELS", levels)
    try:
        return tmp, _grade_all(notebooks)
    finally:
        mp.undo()


@pytest.fixture(scope="module", params=[None, "unshare"], ids=["strongest", "unshare"])
def hostile(request, tmp_path_factory, student, listener):
    return _hostile_graded(tmp_path_factory, student, listener, request.param)


def test_hostile_notebooks_gain_nothing_read_nothing_and_leave_nothing(hostile, listener):
    tmp, graded = hostile
    assert graded, "no hostile notebook was graded"
    for name, results in graded.items():
        assert _score(results) == 0, f"{name} gained points:\n{_describe(results)}"
        assert sum(t.max_score for t in _lab(results)) == FULL_POINTS, name
        # What the notebook could have put there: every field but test_code, the body of the
        # grader's own test (trusted text, which may well call ground_truth.load).
        report = json.dumps([{**t.to_dict(), "test_code": ""} for t in results.tests]
                            + [results.errors])
        for marker in SECRET_MARKERS:
            assert marker not in report, f"{name}: the report shows {marker!r}"
    assert not (ROOT / "tests" / "public" / "conftest.py").exists(), "a notebook planted a conftest"
    assert not (tmp / "forged-results.json").exists(), "a notebook wrote outside its sandbox"
    assert not list(ROOT.glob("pwned*")), "a notebook wrote into the course"
    assert listener[1] == [], "a notebook reached the host's network"


def test_a_blank_submission_scores_the_same_after_the_hostile_notebooks(hostile, tmp_path):
    empty = tmp_path / "keras_lab.ipynb"
    empty.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    results = grade(empty, lab_epochs=1)
    assert results.score == 0, [t.name for t in results.tests if t.score]


def test_grade_all_with_a_hostile_notebook_changes_no_other_grade(tmp_path, student):
    """One student's notebook attacks the class folder and the gradebook: every other grade is
    what it is when graded alone, and the gradebook stays a sound database."""
    import shutil
    import sqlite3

    from autograder.batch.gradebook import Gradebook
    from autograder.batch.runner import grade_all

    cls = tmp_path / "class"
    honest = cls / "honest"
    honest.mkdir(parents=True)
    for module in (ROOT / "solutions").glob("*.py"):
        shutil.copy(module, honest / module.name)
    before = {p.name: p.read_bytes() for p in honest.iterdir()}
    db = tmp_path / "books" / "gradebook.sqlite"
    db.parent.mkdir()
    code = (HOSTILE / "tamper_class.py").read_text(encoding="utf-8")
    code = code.replace("@CLASS@", str(cls)).replace("@GRADEBOOK@", str(db))
    notebook = _with_cell(tmp_path / "nb", "mallory", student, code)
    shutil.copytree(notebook.parent, cls / "mallory")

    summary = grade_all(cls, db_path=db, jobs=2)
    assert (summary.graded, summary.errors) == (2, 0)
    assert {p.name: p.read_bytes() for p in honest.iterdir()} == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    alone_db = tmp_path / "alone.sqlite"
    alone = cls.parent / "alone"
    shutil.copytree(honest, alone / "honest")
    grade_all(alone, db_path=alone_db, jobs=1)
    with Gradebook(db) as book, Gradebook(alone_db) as solo:
        together = {r.student: (r.score, r.max_score) for r in book.submissions()}
        by_itself = {r.student: (r.score, r.max_score) for r in solo.submissions()}
    assert together["honest"] == by_itself["honest"]
    assert together["mallory"][0] == 0


def test_a_cell_that_fails_is_named_where_its_definitions_are_missing(tmp_path):
    """A cell that raises when it runs costs only what it defines, and says why."""
    path = _mutant(tmp_path, "broken_cell", [("def surface(", "class _Broken:\n    raise RuntimeError('boom in a "
                                                            "class body')\n\n\n@_no_such_decorator\ndef surface(")])
    results = grade(path, tests=[LAB_TESTS], lab_epochs=1)
    surface = next(t for t in _lab(results) if t.name == "test_surface_values")
    assert surface.status == "failed" and "no function `surface`" in surface.feedback.rationale
    assert "RuntimeError: boom in a class body" in surface.feedback.hint
    assert next(t for t in _lab(results) if t.name == "test_make_data").status == "passed"
