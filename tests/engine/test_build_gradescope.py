"""End to end: autograder.zip unpacked in a directory laid out like Gradescope's /autograder.

setup.sh runs (with AUTOGRADER_PYTHON: this interpreter already has the dependencies, so nothing
is downloaded), then run_autograder grades three submissions: the reference solutions (full
marks), the stubs (zero) and a hostile one (stubs plus every trick to forge a score: no points).

These need ``autograder grade`` (autograder.cli / autograder.grading, the engine branch); until
that has landed they skip, and only then.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("autograder.grading", reason="`autograder grade` lands with the engine branch")

from autograder.build.release import build  # noqa: E402
from autograder.course import load_course  # noqa: E402
from autograder.stubs import expected_stubs  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
#: The lab notebook producer needs otter-grader and takes seconds: only its own test runs it.
SKIP = ("notebooks",)

HOSTILE_PRELUDE = textwrap.dedent('''\
    # A submission that tries to score without doing the work.
    import builtins, os, sys
    from pathlib import Path

    FORGED = '{"score": 1000, "tests": [{"name": "forged", "score": 1000, "max_score": 1}]}'
    for base in [os.environ.get("AUTOGRADER_ROOT", "/autograder"), *map(str, Path(__file__).resolve().parents)]:
        try:
            results = Path(base) / "results"
            if results.is_dir():
                (results / "results.json").write_text(FORGED)
        except Exception:
            pass
    print("=================== 99 passed in 0.01s ===================")
    try:
        import numpy
        numpy.allclose = lambda *a, **k: True
        numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.shape(a), dtype=bool)
        numpy.testing.assert_allclose = lambda *a, **k: None
    except Exception:
        pass

    class _Liar(float):
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        __hash__ = float.__hash__
''')


def run(cmd: list[str], root: Path, extra_env: dict | None = None,
        **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable,
               **(extra_env or {}))
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def gradescope_root(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build(ROOT, out, epoch=1700000000, skip=SKIP)
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(out / "autograder.zip") as z:
        z.extractall(root / "source")
        for info in z.infolist():    # zipfile does not restore the mode bits; Gradescope does
            (root / "source" / info.filename).chmod((info.external_attr >> 16) & 0o777)
    setup = run(["bash", str(root / "source" / "setup.sh")], root)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    # The hidden tests, solutions and salt are the grader's alone, even to a worker that runs
    # where nothing can be hidden from it but by permissions.
    assert (root / "source").stat().st_mode & 0o777 == 0o700
    return root


def grade(root: Path, files: dict[str, str], code: int = 0, env: dict | None = None) -> dict:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    for name, text in files.items():
        (submission / name).parent.mkdir(parents=True, exist_ok=True)
        (submission / name).write_text(text, encoding="utf-8")
    # Gradescope runs its copy of run_autograder from /autograder; the script uses only $ROOT.
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    proc = run([str(root / "run_autograder")], root, env, cwd=root)
    assert proc.returncode == code, proc.stdout + proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    results["_log"] = proc.stdout + proc.stderr
    return results


def stub_files() -> dict[str, str]:
    return {p.name: text for p, text in expected_stubs(ROOT).items() if p.name != "__init__.py"}


def max_score(results: dict) -> float:
    return sum(t["max_score"] for t in results["tests"])


def test_the_solutions_get_full_marks(gradescope_root):
    files = {p.name: p.read_text() for p in (ROOT / "solutions").glob("*.py") if p.name != "__init__.py"}
    results = grade(gradescope_root, files)
    assert results["tests"], results["_log"]
    assert max_score(results) > 0
    # The modules alone: the lab's tests say its notebook is missing and keep their points in
    # the maximum (tests/lab/test_lab_grading.py grades the reference notebook).
    lab_titles = tuple(f"{ex.title}:" for ex in load_course().exercises if ex.is_notebook)
    lab = [t for t in results["tests"] if t["name"].startswith(lab_titles)]
    assert lab and all("missing from your submission" in t.get("output", "") for t in lab)
    assert results["score"] == pytest.approx(max_score(results) - max_score({"tests": lab})), [
        (t["name"], t.get("output")) for t in results["tests"] if t["score"] < t["max_score"]
        and t not in lab]
    # Both suites ran: the hidden tests are in the Gradescope zip, not only the public ones.
    if (ROOT / "tests" / "hidden").is_dir():
        collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                                    "-p", "no:cacheprovider", "tests/public"], cwd=ROOT,
                                   capture_output=True, text=True, timeout=120)
        public = sum("::" in line for line in collected.stdout.splitlines())
        assert public > 0 and len(results["tests"]) > public


def test_a_clone_of_the_student_release_is_graded_like_its_files(gradescope_root, tmp_path):
    # Gradescope's GitHub submissions arrive as the student's repository: modules in assignments/.
    build(ROOT, tmp_path / "dist", epoch=1700000000, skip=SKIP)
    files = {p.name: p.read_text() for p in (ROOT / "solutions").glob("*.py") if p.name != "__init__.py"}
    flat = grade(gradescope_root, files)
    with zipfile.ZipFile(tmp_path / "dist" / "student.zip") as z:
        clone = {n: z.read(n).decode() for n in z.namelist()}
    clone.update({f"assignments/{name}": text for name, text in files.items()})
    cloned = grade(gradescope_root, clone)
    assert cloned["score"] == flat["score"] > 0
    assert max_score(cloned) == max_score(flat)


def test_the_zip_grades_with_the_reference_calls_and_off_gives_the_same(gradescope_root):
    """autograder.zip holds the recording of the reference's calls (the grader sends calls
    ahead with it: its key fits the zip's tests and engine; test_build_leaks.py proves a student
    release refuses it), and grading with AUTOGRADER_CALL_PREDICTIONS=off gives the same."""
    from autograder.sandbox import pipeline

    source = gradescope_root / "source"
    assert len(list((source / pipeline.CACHE_DIR).glob("call-predictions-*.json"))) == 1
    assert not (source / "solutions").exists()   # the Gradescope image has no reference
    # What the zip's own grader finds (its engine, from $SOURCE, as run_autograder starts it).
    found = run([sys.executable, "-c",
                 "from autograder.sandbox import pipeline\n"
                 "from autograder.grading import REPO_ROOT, _calls_ahead, default_test_dirs\n"
                 "from autograder.course import load_course\n"
                 "assert pipeline.ENGINE == REPO_ROOT / 'autograder'\n"
                 "with _calls_ahead(default_test_dirs(), load_course(), isolate=True):\n"
                 "    print('RECORDED-CALLS', sum(map(len, pipeline.active().tests.values())))\n"],
                gradescope_root, cwd=source)
    assert found.returncode == 0, found.stdout + found.stderr
    assert int(found.stdout.split("RECORDED-CALLS")[1]) > 300
    files = dict(stub_files())
    files["gradient_descent.py"] = (ROOT / "solutions" / "gradient_descent.py").read_text()
    ahead = grade(gradescope_root, files)
    one_at_a_time = grade(gradescope_root, files, env={"AUTOGRADER_CALL_PREDICTIONS": "off"})
    for results in (ahead, one_at_a_time):
        results.pop("_log")
        results.pop("execution_time", None)
    assert ahead == one_at_a_time and 0 < ahead["score"] < max_score(ahead)


def test_the_stubs_get_zero(gradescope_root):
    results = grade(gradescope_root, stub_files())
    assert results["tests"] and max_score(results) > 0
    assert results["score"] == 0


def test_a_hostile_submission_gets_no_points(gradescope_root):
    files = stub_files()
    files["gradient_descent.py"] = HOSTILE_PRELUDE + files["gradient_descent.py"] + textwrap.dedent('''

        def constant_lr(t):
            return _Liar(-1.0)
    ''')
    honest = grade(gradescope_root, stub_files())
    results = grade(gradescope_root, files)
    assert results["score"] == 0, [(t["name"], t["score"]) for t in results["tests"] if t["score"]]
    assert max_score(results) == max_score(honest)          # the forged file did not survive
    assert "forged" not in {t["name"] for t in results["tests"]}


def test_an_empty_submission_still_gets_a_results_file(gradescope_root):
    results = grade(gradescope_root, {}, code=2)    # not graded, and run_autograder says so
    assert results["score"] == 0


#: An interpreter and numpy cannot start in 30 MB: no worker can say hello, at any level.
NO_WORKER = {"AUTOGRADER_SANDBOX_MEMORY_BYTES": "30000000"}


def test_setup_ends_with_a_worker_started_at_the_level_the_image_gives(gradescope_root):
    setup = run(["bash", str(gradescope_root / "source" / "setup.sh")], gradescope_root)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "sandbox self-test: a grading worker started at level " in setup.stdout


def test_setup_fails_the_build_when_no_worker_can_start(gradescope_root):
    setup = run(["bash", str(gradescope_root / "source" / "setup.sh")], gradescope_root,
                extra_env=NO_WORKER)
    assert setup.returncode != 0
    assert "sandbox self-test FAILED: no isolation level could start the grading worker" in setup.stderr
    assert "To fix: " in setup.stderr and "then rebuild" in setup.stderr


def test_run_autograder_fails_visibly_and_writes_no_score_when_no_worker_can_start(gradescope_root):
    submission = gradescope_root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    (submission / "gradient_descent.py").write_text("def gd(*a):\n    return 0\n")
    shutil.copy2(gradescope_root / "source" / "run_autograder", gradescope_root / "run_autograder")
    proc = run([str(gradescope_root / "run_autograder")], gradescope_root, extra_env=NO_WORKER,
               cwd=gradescope_root)
    # Gradescope shows "The autograder failed to execute correctly" for a missing results.json:
    # no zero reaches the student, and the instructor's log says what to fix.
    assert proc.returncode != 0
    assert not (gradescope_root / "results" / "results.json").exists()
    assert "Not graded: the grading machine failed, not the submission" in proc.stdout
    assert "To fix: " in proc.stdout and "Your code raised" not in proc.stdout + proc.stderr
