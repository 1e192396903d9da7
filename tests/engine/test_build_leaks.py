"""The leak check refuses a release that would give a student a secret, and names the secret.

Each test plants one kind of leak in a copy of the course checkout (or hands the build a
producer that adds one) and checks that the build stops with a message naming both the secret
and where it was about to be shipped, writing nothing.
"""

import ast
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from autograder.build.leaks import LeakError
from autograder.build.release import BuildError, build
from autograder.build.reproducible import Member

ROOT = Path(__file__).resolve().parents[2]
#: The lab notebook producer needs otter-grader and takes seconds: only its own test runs it.
SKIP = ("notebooks",)
EPOCH = 1700000000
CHECKOUT = ("autograder", "assignments", "solutions", "tests/public", "conftest.py",
            "pyproject.toml", "README.md")

HIDDEN_TEST = textwrap.dedent('''\
    import pytest

    @pytest.mark.exercise("gd")
    @pytest.mark.visibility("hidden")
    def test_gd_matches_the_exact_trajectory(target):
        traj = target.gradient_descent.gd(lambda x: 2 * x, 3.0, 0.125, 4)
        exact = [3.0, 2.25, 1.6875, 1.265625, 0.94921875]
        assert list(traj) == exact, "the hidden trajectory differs"
''')
MISCONCEPTION = textwrap.dedent('''\
    MISCONCEPTION = "gd-ascent"
    MODULE = "gradient_descent"

    def gd(grad, x0, eta, steps):
        import numpy as np
        x = np.asarray(x0, dtype=float)
        out = [x.copy()]
        for _ in range(steps):
            x = x + eta * grad(x)
            out.append(x.copy())
        return np.array(out)
''')
GROUND_TRUTH = json.dumps({"gd_quadratic": {"trajectory": ["3", "9/4", "27/16"]}}, indent=1).encode()


@pytest.fixture
def checkout(tmp_path) -> Path:
    dest = tmp_path / "checkout"
    for rel in CHECKOUT:
        src = ROOT / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    # Secrets of our own, so these tests do not depend on what the real ones look like.
    (dest / "tests/hidden").mkdir(parents=True, exist_ok=True)
    (dest / "tests/hidden/test_secret_gd.py").write_text(HIDDEN_TEST)
    (dest / "tests/misconceptions").mkdir(parents=True, exist_ok=True)
    (dest / "tests/misconceptions/gd_ascent_planted.py").write_text(MISCONCEPTION)
    (dest / "autograder/ground_truth").mkdir(parents=True, exist_ok=True)
    (dest / "autograder/ground_truth/cache_planted.json").write_bytes(GROUND_TRUTH)
    return dest


def refused(checkout: Path, out: Path, **kwargs) -> str:
    with pytest.raises(LeakError) as info:
        build(checkout, out, epoch=EPOCH, skip=SKIP, **kwargs)
    assert not out.exists(), "a refused build must write nothing"
    return str(info.value)


def solution_body(checkout: Path, name: str) -> str:
    source = (checkout / "solutions/gradient_descent.py").read_text()
    fn = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name)
    first = fn.body[1] if ast.get_docstring(fn) else fn.body[0]
    lines = source.splitlines()[first.lineno - 1:fn.end_lineno]
    return textwrap.dedent("\n".join(lines))


def test_the_course_as_it_is_builds_clean(checkout, tmp_path):
    build(checkout, tmp_path / "out", epoch=EPOCH, skip=SKIP)
    assert (tmp_path / "out/student.zip").is_file()


def test_a_solution_body_in_a_public_test_file(checkout, tmp_path):
    # Renamed, re-documented, reformatted with comments: the AST is the same, so it is caught.
    body = solution_body(checkout, "gd")
    helper = ("\n\ndef reference_gd(grad, x0, eta, steps):\n    '''A handy reference.'''\n\n"
              "    # copied from the instructor's files\n" + textwrap.indent(body, "    ") + "\n")
    path = checkout / "tests/public/test_gradient_descent.py"
    path.write_text(path.read_text() + helper)
    message = refused(checkout, tmp_path / "out")
    assert "tests/public/test_gradient_descent.py:reference_gd" in message
    assert "solutions/gradient_descent.py:gd" in message and "solution" in message


def test_a_solution_body_inside_a_longer_function(checkout, tmp_path):
    body = solution_body(checkout, "adam_step")
    wrapper = ("def check_adam(x, v, s, g, t, eta=0.001, beta1=0.9, beta2=0.999, eps=1e-8):\n"
               "    print('checking')\n" + textwrap.indent(body, "    ") + "\n")
    (checkout / "tests/public/helpers_adam.py").write_text(wrapper)
    message = refused(checkout, tmp_path / "out")
    assert "tests/public/helpers_adam.py:check_adam" in message
    assert "solutions/gradient_descent.py:adam_step" in message


def test_a_hidden_test_copied_into_the_public_tests(checkout, tmp_path):
    (checkout / "tests/public/test_more.py").write_text(HIDDEN_TEST)
    message = refused(checkout, tmp_path / "out")
    assert "tests/public/test_more.py" in message
    assert "hidden test tests/hidden/test_secret_gd.py" in message


def test_a_hidden_test_function_pasted_into_a_public_file(checkout, tmp_path):
    path = checkout / "tests/public/test_gradient_descent.py"
    renamed = HIDDEN_TEST.replace("test_gd_matches_the_exact_trajectory", "test_bonus")
    path.write_text(path.read_text() + "\n\n" + renamed.split("\n", 2)[2])
    message = refused(checkout, tmp_path / "out")
    assert "test_gradient_descent.py:test_bonus" in message
    assert "tests/hidden/test_secret_gd.py:test_gd_matches_the_exact_trajectory" in message


def test_a_ground_truth_value_file_under_another_name(checkout, tmp_path):
    (checkout / "tests/public/expected_values.json").write_bytes(GROUND_TRUTH)
    message = refused(checkout, tmp_path / "out")
    assert "tests/public/expected_values.json" in message
    assert "ground-truth file autograder/ground_truth/cache_planted.json" in message


def test_a_misconception_catalogue_file(checkout, tmp_path):
    (checkout / "tests/public/wrong_answers.py").write_text(MISCONCEPTION)
    message = refused(checkout, tmp_path / "out")
    assert "tests/public/wrong_answers.py" in message
    assert "misconception-catalogue file tests/misconceptions/gd_ascent_planted.py" in message


def test_a_path_under_solutions_from_a_producer(checkout, tmp_path):
    def lab_files(ctx):
        return [Member("lab/solutions/notes.txt", b"nothing secret in the bytes")]
    message = refused(checkout, tmp_path / "out", student_producers={"lab": lab_files})
    assert "lab/solutions/notes.txt is under the solution tree solutions/" in message


def test_a_notebook_whose_code_cell_holds_a_solution(checkout, tmp_path):
    body = solution_body(checkout, "clip_by_norm")
    cell = "import numpy as np\n%matplotlib inline\n\ndef clip(g, threshold):\n" + textwrap.indent(body, "    ")
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Lab"]},
                          {"cell_type": "code", "metadata": {}, "execution_count": None,
                           "outputs": [], "source": cell.splitlines(keepends=True)}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}

    def lab_notebook(ctx):
        return [Member("lab/lab.ipynb", json.dumps(notebook).encode())]
    message = refused(checkout, tmp_path / "out", student_producers={"lab": lab_notebook})
    assert "lab/lab.ipynb:clip" in message and "solutions/gradient_descent.py:clip_by_norm" in message


def notebook(*cells: str) -> bytes:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                                  "outputs": [], "source": c} for c in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


PLOT_HELPER = ("def plot_history(history, ax):\n    for key in ('loss', 'val_loss'):\n"
               "        ax.plot(history[key], label=key)\n    ax.legend()\n")


def test_a_producer_secret_that_its_student_file_leaks(checkout, tmp_path):
    # A lab producer reads its otter-format source notebook as a secret and strips it.
    (checkout / "lab").mkdir()
    (checkout / "lab/lab_solution.ipynb").write_bytes(notebook(
        "import numpy as np",
        PLOT_HELPER,    # handed to students whole: no marker, no secret
        "def train_step(w, x, y, eta):\n    # BEGIN SOLUTION\n    pred = x @ w\n"
        "    grad = x.T @ (pred - y) / len(y)\n    return w - eta * grad\n    # END SOLUTION\n"))

    def careless(ctx):   # forgot to strip: ships the solution cell under the student's name
        return [Member("lab/lab.ipynb", ctx.secret("lab/lab_solution.ipynb"))]

    def careful(ctx):
        ctx.secret("lab/lab_solution.ipynb")
        return [Member("lab/lab.ipynb", notebook(
            "import numpy as np", PLOT_HELPER,
            "def train_step(w, x, y, eta):\n    ...\n"))]

    message = refused(checkout, tmp_path / "bad", student_producers={"lab": careless})
    assert "lab/lab.ipynb has the same bytes as solution lab/lab_solution.ipynb" in message
    assert "lab/lab.ipynb:train_step contains the body of solution lab/lab_solution.ipynb:train_step" in message
    assert "plot_history" not in message
    build(checkout, tmp_path / "good", epoch=EPOCH, skip=SKIP, student_producers={"lab": careful})
    manifest = json.loads((tmp_path / "good/manifest.json").read_text())
    assert "lab/lab.ipynb" in {m["path"] for m in manifest["artifacts"]["student.zip"]["members"]}


def test_every_leak_is_named_not_just_the_first(checkout, tmp_path):
    (checkout / "tests/public/test_more.py").write_text(HIDDEN_TEST)
    (checkout / "tests/public/wrong_answers.py").write_text(MISCONCEPTION)
    (checkout / "tests/public/expected_values.json").write_bytes(GROUND_TRUTH)
    with pytest.raises(LeakError) as info:
        build(checkout, tmp_path / "out", epoch=EPOCH, skip=SKIP)
    kinds = {leak.kind for leak in info.value.leaks}
    assert kinds == {"hidden test", "misconception-catalogue file", "ground-truth file"}


def test_a_public_test_importing_grader_only_code(checkout, tmp_path):
    (checkout / "autograder/ground_truth/__init__.py").write_text('"""Sympy-derived values."""\n')
    path = checkout / "tests/public/test_gradient_descent.py"
    path.write_text("from autograder import ground_truth\n" + path.read_text())
    with pytest.raises(BuildError, match=r"grader-only code: autograder/ground_truth/__init__.py "
                                         r"\(imported by tests/public/test_gradient_descent.py\)"):
        build(checkout, tmp_path / "out", epoch=EPOCH, skip=SKIP)


def test_the_written_questions_marking_guide_and_reference_answers_are_secret(checkout, tmp_path):
    # The written questions' marking guide (autograder/written_questions.toml) and reference
    # answers (solutions/written_answers.md) are prose: a clause of either, reflowed and re-cased
    # in any student file, stops the build; the student's sheet (the prompts) ships.
    from autograder.written import ANSWER_SHEET, module_questions, read_answer_sheet

    _, questions = module_questions(checkout / "autograder/written_questions.toml")
    guide_clause = questions[0].guide[0].split(": ", 1)[1].split(":")[0]
    reference = read_answer_sheet((checkout / "solutions" / ANSWER_SHEET).read_text(), ["5"])["5"]
    answer_clause = reference.split(".")[0]
    assert len(guide_clause) > 40 and len(answer_clause) > 40
    notes = checkout / "tests/public/hints.md"
    notes.write_text("# Hints\n\n" + "\n".join(guide_clause.upper().split(" ")) + "\n")
    message = refused(checkout, tmp_path / "guide")
    assert ("tests/public/hints.md contains a clause of the marking guide "
            "autograder/written_questions.toml") in message
    notes.write_text("A model answer: " + answer_clause + ".\n")
    message = refused(checkout, tmp_path / "answer")
    assert f"tests/public/hints.md contains a clause of the reference answer solutions/{ANSWER_SHEET}" in message

    def ships_the_guide(ctx):
        return [Member("notes/questions.toml", (ctx.root / "autograder/written_questions.toml").read_bytes())]

    notes.unlink()
    message = refused(checkout, tmp_path / "file", student_producers={"careless": ships_the_guide})
    assert "notes/questions.toml has the same bytes as marking guide autograder/written_questions.toml" in message
    build(checkout, tmp_path / "good", epoch=EPOCH, skip=SKIP)
    manifest = json.loads((tmp_path / "good/manifest.json").read_text())
    assert f"assignments/{ANSWER_SHEET}" in {m["path"] for m in manifest["artifacts"]["student.zip"]["members"]}


def test_a_recording_of_the_reference_calls_under_any_name(checkout, tmp_path):
    """The grader's recording (autograder/sandbox/pipeline.py) holds the hidden tests' inputs:
    refused by its contents whatever it is called, and anywhere in the grader's cache."""
    from autograder.sandbox import pipeline

    recording = pipeline.Predictions({"tests/hidden/test_secret_gd.py::test_x (call)": []},
                                     {"tests": "1", "recorder": "2", "reference": "3"}).to_bytes()

    def leaky(ctx):
        return [Member("tests/public/expected_calls.json", recording),
                Member("lab/.autograder-cache/notes.txt", b"nothing secret in the bytes")]
    message = refused(checkout, tmp_path / "out", student_producers={"lab": leaky})
    assert "tests/public/expected_calls.json is a recording of the reference's calls" in message
    assert "lab/.autograder-cache/notes.txt is a recording of the reference's calls" in message
    # Its marker alone (a docstring naming the format) is no recording.
    build(checkout, tmp_path / "good", epoch=EPOCH, skip=SKIP, student_producers={
        "lab": lambda ctx: [Member("lab/notes.md", pipeline.MARKER.encode())]})
