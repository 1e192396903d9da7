"""Grade one submission: materialise it, run the course's tests against it, return :class:`Results`.

``grade(path)`` is what ``autograder grade PATH`` calls. The tests are the ordinary pytest files
of ``tests/public`` (and ``tests/hidden`` where the instructor's checkout has them); they reach
the submission through the ``target`` fixture, pointed at a private copy of the submission.

pytest runs in this process by default (``pytest.main`` with a small plugin object that keeps the
run's config, so the :class:`Results` tree is read directly, not parsed from a file): that saves a
second interpreter start and a second import of numpy and pytest, which is most of the cost of a
run. ``runner="subprocess"`` runs ``python -m pytest ... --results-json`` instead, for callers
who want the grader's own process untouched; both give the same results.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable, Literal

from .course import Course, load_course
from .feedback import Feedback
from .results import Results
from .submission import SubmissionProblem, materialise

REPO_ROOT = Path(__file__).resolve().parent.parent
Runner = Literal["inprocess", "subprocess"]


def default_test_dirs(root: Path = REPO_ROOT) -> list[Path]:
    """The public tests, and the hidden ones when this checkout has them."""
    dirs = [root / "tests" / "public", root / "tests" / "hidden"]
    return [d for d in dirs if d.is_dir()]


def sandbox_available() -> bool:
    return importlib.util.find_spec("autograder.sandbox") is not None


def target_spec(directory: Path, isolate: bool) -> str:
    """The ``--target`` value for a materialised submission: the one place isolation is chosen.

    Isolated grading runs the submission in the sandbox's worker process (``sandbox:DIR``);
    without the sandbox installed, or with ``isolate=False``, it is imported in this process.
    """
    if isolate and sandbox_available():
        return f"sandbox:{directory}"
    return str(directory)


LAB_NOTEBOOK = "keras_lab.ipynb"
LAB_NOTEBOOK_LIMIT = 32 * 1024 * 1024


def _is_lab_notebook(path: Path) -> bool:
    """A notebook that defines the lab's functions is the Keras lab, not a notebook of modules."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:LAB_NOTEBOOK_LIMIT]
    except OSError:
        return False
    return path.name == LAB_NOTEBOOK or bool(re.search(r"def build_model\(", text))


def _lab_notebook_inside(path: Path, tmp: Path) -> Path | None:
    """The lab notebook handed in beside the modules (in a directory or a zip), if any."""
    if path.is_dir():
        found = sorted(p for p in path.rglob(LAB_NOTEBOOK) if p.is_file() and not p.is_symlink())
        return found[0] if found else None
    if path.suffix == ".zip":
        import zipfile

        try:
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if (info.filename.rsplit("/", 1)[-1] == LAB_NOTEBOOK and not info.is_dir()
                            and info.file_size <= LAB_NOTEBOOK_LIMIT):
                        # Read the bytes ourselves: the member's name never becomes a path here.
                        out = tmp / LAB_NOTEBOOK
                        out.write_bytes(zf.read(info)[:LAB_NOTEBOOK_LIMIT])
                        return out
        except (OSError, zipfile.BadZipFile):
            return None
    return None


def _with_lab(results: Results, notebook: Path, epochs: int | None) -> Results:
    from .lab import grade_lab

    lab = grade_lab(notebook, epochs=epochs)
    results.tests.extend(lab.tests)
    results.errors.extend(f"Keras lab: {e}" for e in lab.errors)
    if lab.isolation and lab.isolation != results.isolation:
        results.isolation = f"{results.isolation}; lab: {lab.isolation}"
    return results


def grade(path: str | Path, *, isolate: bool = True, tests: Iterable[str | Path] | None = None,
          runner: Runner = "inprocess", course: Course | None = None,
          lab_epochs: int | None = None) -> Results:
    """Grade the submission at ``path`` (a directory, a .py file, a .zip or a .ipynb).

    A notebook that defines the Keras lab's functions is graded by :func:`autograder.lab.grade_lab`
    (a TensorFlow worker of its own); a ``keras_lab.ipynb`` inside a directory or zip is graded
    too, beside the modules. ``lab_epochs`` overrides the lab's default (20 on CPU, 250 on a GPU).

    Never raises for a bad submission: a submission that cannot be read gives a Results whose
    ``errors`` say why and whose every test failed with that reason. ``errors`` is empty exactly
    when the submission was graded.
    """
    path = Path(path)
    if path.suffix == ".ipynb" and path.is_file() and _is_lab_notebook(path):
        from .lab import grade_lab

        return grade_lab(path, epochs=lab_epochs)
    with tempfile.TemporaryDirectory(prefix="autograder-lab-") as lab_tmp:
        lab_notebook = _lab_notebook_inside(path, Path(lab_tmp))
        results = _grade_modules(path, isolate=isolate, tests=tests, runner=runner, course=course)
        if lab_notebook is not None:
            results = _with_lab(results, lab_notebook, lab_epochs)
    return results


def _grade_modules(path: Path, *, isolate: bool, tests: Iterable[str | Path] | None,
                   runner: Runner, course: Course | None) -> Results:
    started = time.perf_counter()
    course = course or load_course()
    test_dirs = [Path(t).resolve() for t in tests] if tests else default_test_dirs()
    missing_tests = [str(t) for t in test_dirs if not t.exists()]
    if missing_tests or not test_dirs:
        results = Results(target=str(path))
        results.errors.append("No tests to grade with: " + (", ".join(missing_tests) or
                              "neither tests/public nor tests/hidden exists next to the package"))
        return results

    with tempfile.TemporaryDirectory(prefix="autograder-") as tmp:
        workdir = Path(tmp) / "submission"
        problem = None
        try:
            materialised = materialise(path, workdir, course)
        except SubmissionProblem as exc:
            problem = str(exc)
            materialised = None
            _write_ungradable(workdir, course, problem)
        spec = target_spec(workdir, isolate)
        if runner == "subprocess":
            results = _run_subprocess(spec, test_dirs, Path(tmp))
        else:
            results = _run_inprocess(spec, test_dirs)
        results = _scrub_paths(results, tmp)

    if problem is not None:
        results.errors.insert(0, problem)
        results.tests = [dataclasses.replace(
            t, status="failed", score=0.0,
            feedback=Feedback(f"Not graded: {problem}",
                              hint="Fix the submission and hand it in again; nothing was run."))
            for t in results.tests]
    elif materialised is not None and not materialised.found:
        results.errors.insert(0, "The submission provides none of the course modules.")
    if isolate and not spec.startswith("sandbox:"):
        results.isolation = "none (sandbox not installed)"
    results.target = str(path)
    results.execution_time = round(time.perf_counter() - started, 3)
    return results


def _write_ungradable(workdir: Path, course: Course, problem: str) -> None:
    """Modules that refuse to import, so the run still lists every test (each failed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.iterdir():
        if old.is_file():
            old.unlink()
    for module in course.modules:
        (workdir / f"{module}.py").write_text(f"raise ImportError({problem!r})\n", encoding="utf-8")


def _pytest_args(spec: str, test_dirs: list[Path]) -> list[str]:
    return [*map(str, test_dirs), f"--target={spec}",
            "-p", "autograder.pytest_plugin",
            # Third-party plugins (hypothesis's costs a second on import) have no say in a grade.
            "--disable-plugin-autoload",
            "-p", "no:cacheprovider",     # never write .pytest_cache into the course checkout
            # Built-in plugins a grading run has no use for. unraisableexception and
            # threadexception run gc.collect() at session end (~0.1 s); the others are imports.
            "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:doctest",
            "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:legacypath", "-p", "no:stepwise",
            "-o", "addopts=", "-q", "--no-header", "--color=no",
            # The report is built from Failure objects; pytest's own long tracebacks are never
            # shown, and formatting them costs ~0.1 s per failure that went through an import.
            "--tb=no"]


class _RunCollector:
    """A pytest plugin object: keeps the run's config and any test file that failed to collect."""

    def __init__(self) -> None:
        self.config = None
        self.collection_errors: list[str] = []

    def pytest_configure(self, config) -> None:
        self.config = config

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.collection_errors.append(
                f"The test file {report.nodeid} could not be collected: {text[-1] if text else ''}")


def _run_inprocess(spec: str, test_dirs: list[Path]) -> Results:
    import io
    from contextlib import redirect_stdout

    import pytest

    from .pytest_plugin import results_of

    collector = _RunCollector()
    before = set(sys.modules)
    sink = io.StringIO()
    try:
        with redirect_stdout(sink):
            code = pytest.main(_pytest_args(spec, test_dirs), plugins=[collector])
    finally:
        # The submission's modules were imported under a synthetic package; forget them so a
        # second grading in this process starts clean (test modules are kept: they are ours).
        for name in set(sys.modules) - before:
            if name.startswith("_target_"):
                del sys.modules[name]
    if collector.config is None:
        return Results(errors=[f"pytest could not start (exit code {int(code)}): "
                               f"{sink.getvalue().strip()[-500:]}"])
    results = results_of(collector.config)
    results.errors.extend(collector.collection_errors)
    if int(code) not in (0, 1, 5) and not results.errors:   # 5: no tests collected
        results.errors.append(f"pytest stopped with exit code {int(code)}")
    if not results.tests and not results.errors:
        results.errors.append("No graded test was collected.")
    return results


def _run_subprocess(spec: str, test_dirs: list[Path], tmp: Path) -> Results:
    out = tmp / "results.json"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *_pytest_args(spec, test_dirs), f"--results-json={out}"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if not out.exists():
        return Results(errors=[f"pytest stopped with exit code {proc.returncode} before writing "
                               f"results: {(proc.stdout + proc.stderr).strip()[-500:]}"])
    results = Results.from_dict(json.loads(out.read_text(encoding="utf-8")))
    if proc.returncode not in (0, 1, 5):
        results.errors.append(f"pytest stopped with exit code {proc.returncode}: "
                              f"{proc.stdout.strip()[-500:]}")
    return results


_SYNTHETIC_PACKAGE = re.compile(r"\b_target_[0-9a-f]{12}\.")


def _scrub_paths(results: Results, tmp: str) -> Results:
    """Replace the private temporary path in messages, so two gradings give the same report."""
    real = os.path.realpath(tmp)

    def clean(text: str | None) -> str | None:
        if text is None:
            return None
        for prefix in {real, tmp}:
            text = text.replace(prefix + os.sep + "submission", "<submission>").replace(prefix, "<tmp>")
        # The in-process target imports the submission under a package named after its
        # (temporary) path; the student knows their modules by their plain names.
        return _SYNTHETIC_PACKAGE.sub("", text)

    tests = []
    for t in results.tests:
        fb = t.feedback
        if fb is not None:
            fb = dataclasses.replace(fb, rationale=clean(fb.rationale), expected=clean(fb.expected),
                                     actual=clean(fb.actual), hint=clean(fb.hint))
        tests.append(dataclasses.replace(t, feedback=fb, output=clean(t.output)))
    results.tests = tests
    results.errors = [clean(e) for e in results.errors]
    return results
