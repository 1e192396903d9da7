"""Grade submissions: materialise each, run the course's tests against it, return :class:`Results`.

``grade(path)`` is what ``autograder grade PATH`` calls; ``grade_many(paths)`` is what each of
``grade-all``'s workers runs. The tests are the ordinary pytest files of ``tests/public`` (and
``tests/hidden`` where the instructor's checkout has them); they reach the submission through the
``target`` fixture, pointed at a private copy of the submission.

pytest runs in this process (``pytest.main`` with a plugin object, :class:`_SessionLoop`, that
takes over pytest's test loop): the tests are collected once and run once per submission, every
fixture torn down in between, and the :class:`Results` tree is read directly, not parsed from a
file. That saves an interpreter start, an import of numpy and pytest and a collection per
submission, which is most of the cost of a run. The next submission is prepared (copied, its
sandbox launched) while the current one's tests run. ``runner="subprocess"`` runs
``python -m pytest ... --results-json`` instead, for callers who want the grader's own process
untouched; both give the same results.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal

from . import infrastructure
from .course import Course, load_course
from .feedback import Feedback
from .results import Results
from .submission import SubmissionProblem, materialise
from .untrusted import sanitise

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


@dataclasses.dataclass
class Job:
    """One submission to grade, and whose variant to grade it on (see :func:`grade`)."""
    path: Path
    student: str | None = None
    metadata: str | Path | None = None
    salt_file: str | Path | None = None
    lab_epochs: int | None = None


def grade(path: str | Path, *, isolate: bool = True, tests: Iterable[str | Path] | None = None,
          runner: Runner = "inprocess", course: Course | None = None,
          lab_epochs: int | None = None, student: str | None = None,
          metadata: str | Path | None = None, salt_file: str | Path | None = None) -> Results:
    """Grade the submission at ``path`` (a directory, a .py file, a .zip or a .ipynb).

    The Keras lab's notebook (handed in alone, or as ``keras_lab.ipynb`` inside a directory or
    zip) is graded by the same tests and sandbox as the modules, its worker with TensorFlow's
    launch profile; ``lab_epochs`` overrides the lab's default (20 on CPU, 250 on a GPU).

    Per-student variants: the student is ``student``, else the id in ``metadata`` (a Gradescope
    ``submission_metadata.json``), else the id in a ``submission_metadata.json`` beside the
    submission; their variant is computed with the course salt (``salt_file``, or
    ``$AUTOGRADER_SALT`` / ``$AUTOGRADER_SALT_FILE``). Without a student or a salt the tests use
    the default variant. An unusable salt is a grading error, not a score.

    Never raises for a bad submission: a submission that cannot be read gives a Results whose
    ``errors`` say why and whose every test failed with that reason. ``errors`` is empty exactly
    when the submission was graded.
    """
    job = Job(Path(path), student=student, metadata=metadata, salt_file=salt_file,
              lab_epochs=lab_epochs)
    if runner == "subprocess":
        return _grade_one_subprocess(job, isolate=isolate, tests=tests, course=course)
    return grade_many([job], isolate=isolate, tests=tests, course=course)[0]


def grade_many(jobs: Iterable[Job | str | Path], *, isolate: bool = True,
               tests: Iterable[str | Path] | None = None, course: Course | None = None,
               on_result: Callable[[Job, Results], None] | None = None,
               keep: bool = True) -> list[Results]:
    """Grade many submissions in one pytest session: the tests are collected once.

    Each submission still gets its own private copy and its own sandboxed worker; only the
    grader's side (pytest, the collected test modules, the ground truth) is shared. The next
    submission is copied and its worker started while the current one's tests run, so a worker's
    start-up overlaps grading. ``jobs`` may be a lazy iterable (a queue of incoming work):
    ``on_result(job, results)`` is called as each submission is done, in order. Returns the
    results in the order of ``jobs`` (none with ``keep=False``: a long-lived batch worker hands
    each on and keeps nothing).
    """
    course = course or load_course()
    test_dirs = [Path(t).resolve() for t in tests] if tests else default_test_dirs()
    missing_tests = [str(t) for t in test_dirs if not t.exists()]
    done: list[Results] = []

    def finish(job: Job, results: Results) -> None:
        if keep:
            done.append(results)
        if on_result is not None:
            on_result(job, results)

    queue = _PreparedQueue(iter(jobs), lambda job: _Prepared(_as_job(job), isolate=isolate,
                                                              course=course),
                           ready=getattr(jobs, "ready", None))
    if missing_tests or not test_dirs:
        why = infrastructure.describe(
            "No tests to grade with: " + (", ".join(missing_tests) or "neither tests/public nor "
                                          "tests/hidden exists next to the package"),
            "grade from the course checkout or an unpacked autograder.zip, or name the test "
            "directories with --tests")
        for prepared in queue:
            finish(prepared.job, prepared.close(Results.not_graded(why, target=str(prepared.job.path))))
        return done
    queue.prefetch()    # the first worker starts while pytest collects the tests
    loop = _SessionLoop(queue, finish)
    _run_pytest(loop, _pytest_args(test_dirs, isolate=isolate))
    for prepared in queue:   # pytest stopped before its test loop: say why, for every job left
        finish(prepared.job, prepared.close(Results.not_graded(loop.why_not_run(),
                                                               target=str(prepared.job.path))))
    return done


def _as_job(job: Job | str | Path) -> Job:
    return job if isinstance(job, Job) else Job(Path(job))


class _Prepared:
    """A submission made ready to run: copied, its target opened, its worker (being) started."""

    def __init__(self, job: Job, *, isolate: bool, course: Course):
        self.job, self.isolate = job, isolate
        self.started = time.perf_counter()
        self.tmp = tempfile.TemporaryDirectory(prefix="autograder-")
        self.direct: Results | None = None     # not graded by the test session (why)
        self.problem: str | None = None
        self.materialised = None
        self.target = None
        self.student: str | None = None
        self.salt_file: str | None = None
        path = job.path
        student, salt_file, variant_error = _variant_of(path, job.student, job.metadata,
                                                        job.salt_file)
        if variant_error is not None:
            self.direct = Results(target=str(path), errors=[variant_error])
            return
        self.student, self.salt_file = student, salt_file
        tmp = Path(self.tmp.name)
        workdir = tmp / "submission"
        try:
            self.materialised = materialise(path, workdir, course)
        except SubmissionProblem as exc:
            self.problem = str(exc)
            _write_ungradable(workdir, course, self.problem)
        self.spec = target_spec(workdir, isolate)
        if self.spec.startswith("sandbox:"):
            # Launch the worker before importing the proxy (numpy) and pytest: its start-up then
            # runs on the other core while this process imports and collects.
            from .sandbox import isolation

            limits = isolation.Limits.from_env()
            early = isolation.launch_early(workdir, limits)
            from .sandbox.proxy import sandbox_target

            # Without an early launch (it failed), the target starts its worker at the first call
            # and reports why it could not.
            from .lab.session import profiles

            self.target = sandbox_target(workdir, limits=limits, early=early,
                                         profiles=profiles(job.lab_epochs))
        else:
            from .targets import open_target

            self.target = open_target(self.spec)
        # For the lab fixture (underscored: a target's other attributes are the submission's
        # modules); what became of the notebooks it reads from the materialised folder.
        self.target._lab_epochs = job.lab_epochs

    @classmethod
    def failed(cls, job: Job, why: str) -> "_Prepared":
        """A job the grader could not prepare (``why``: its infrastructure line)."""
        prepared = cls.__new__(cls)
        prepared.job, prepared.target = job, None
        prepared.tmp = tempfile.TemporaryDirectory(prefix="autograder-")
        prepared.direct = Results.not_graded(why, target=str(job.path))
        return prepared

    def results(self, raw: Results) -> Results:
        """The submission's results, from the raw results of its test run."""
        results = _scrub_paths(raw, self.tmp.name)
        unavailable = getattr(self.target, "infrastructure_error", None)
        if unavailable is not None and results.infrastructure_error is None:
            results.infrastructure_error = str(unavailable)   # a test swallowed it
        if results.infrastructure_error is not None:
            # The machine failed: nothing of this run counts, the lab is not run either.
            if unavailable is not None:
                results.isolation = "not started"
            results.target = str(self.job.path)
            results.execution_time = round(time.perf_counter() - self.started, 3)
            return results.settled()
        if self.problem is not None:
            results.errors.insert(0, self.problem)
            results.tests = [dataclasses.replace(
                t, status="failed", score=0.0,
                feedback=Feedback(f"Not graded: {self.problem}",
                                  hint="Fix the submission and hand it in again; nothing was run."))
                for t in results.tests]
        elif self.materialised is not None and not self.materialised.found and not any(
                n.status == "ok" for n in self.materialised.notebooks.values()):
            results.errors.insert(0, "The submission provides none of the course modules.")
        if self.isolate and not self.spec.startswith("sandbox:"):
            results.isolation = "none (sandbox not installed)"
        results.target = str(self.job.path)
        results.execution_time = round(time.perf_counter() - self.started, 3)
        return results

    def close(self, results: Results) -> Results:
        """Release the submission's worker and copy; return ``results`` made safe to show.

        Every Results this module hands out passes here, so this is where the text a submission
        influenced is sanitised (:func:`~autograder.untrusted.sanitise`), once, for every report
        and the gradebook alike.
        """
        if self.target is not None:
            self.target.close()
            self.target = None
        self.tmp.cleanup()
        return sanitise(results)


class _PreparedQueue:
    """Jobs turned into prepared submissions one step ahead of the one being graded.

    A lazy source (a batch worker's queue) says with ``ready()`` whether a job is waiting; it is
    only read ahead when one is, so grading never waits for a job that has not arrived.
    """

    def __init__(self, jobs: Iterator, prepare: Callable[[Job], "_Prepared"],
                 ready: Callable[[], bool] | None = None):
        self._jobs, self._prepare, self._ready = jobs, prepare, ready
        self._ahead: _Prepared | None = None
        self._exhausted = False

    def __iter__(self):
        return self

    def __next__(self) -> _Prepared:
        current = self._ahead if self._ahead is not None else self._take(block=True)
        self._ahead = None
        if current is None:
            raise StopIteration
        return current

    def prefetch(self) -> None:
        """Prepare the next job now, if one is waiting (never blocks on a lazy source)."""
        if self._ahead is None:
            self._ahead = self._take(block=False)

    def _take(self, *, block: bool) -> _Prepared | None:
        if self._exhausted:
            return None
        if not block and self._ready is not None and not self._ready():
            return None
        try:
            job = _as_job(next(self._jobs))
        except StopIteration:
            self._exhausted = True
            return None
        try:
            return self._prepare(job)
        except Exception as exc:  # noqa: BLE001 - a grader bug costs this submission only
            return _Prepared.failed(job, infrastructure.from_exception(exc))


class _SessionLoop:
    """A pytest plugin object that runs the collected tests once per prepared submission."""

    def __init__(self, queue: _PreparedQueue, finish: Callable[[Job, Results], None]):
        self.queue, self.finish = queue, finish
        self.config = None
        self.collection_errors: list[str] = []
        self.output = ""

    def pytest_configure(self, config) -> None:
        self.config = config

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.collection_errors.append(
                f"The test file {report.nodeid} could not be collected: {text[-1] if text else ''}")

    def why_not_run(self) -> str:
        """The infrastructure line of a session whose tests never ran."""
        if self.collection_errors:
            return infrastructure.describe("; ".join(self.collection_errors),
                                           "fix the test file (a bug of the course's tests, not "
                                           "of the submission), then grade again")
        return infrastructure.grader_bug(f"pytest could not start: {self.output.strip()[-500:]}")

    def pytest_runtestloop(self, session) -> bool | None:   # tryfirst: see _run_pytest
        if self.collection_errors:
            return None        # pytest's own loop stops on collection errors; we report them
        from .pytest_plugin import Submission, begin_submission, end_submission, reset_item

        items = session.items
        for prepared in self.queue:
            if prepared.direct is not None:
                self.finish(prepared.job, prepared.close(prepared.direct))
                continue
            prepared.started = time.perf_counter()   # not while it waited its turn
            self.queue.prefetch()
            before = set(sys.modules)
            failure = None
            try:
                begin_submission(session.config, Submission(prepared.target, prepared.student,
                                                             prepared.salt_file))
                for i, item in enumerate(items):
                    reset_item(item)
                    nextitem = items[i + 1] if i + 1 < len(items) else None
                    item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            except Exception as exc:  # noqa: BLE001 - a grader bug costs this submission only
                failure = infrastructure.from_exception(exc)
                _teardown_all(session)
            finally:
                raw = end_submission(session.config)
                # The submission's modules were imported under a synthetic package (in-process
                # targets); forget them so the next submission starts clean.
                for name in set(sys.modules) - before:
                    if name.startswith("_target_"):
                        del sys.modules[name]
            if failure is not None:
                raw = Results.not_graded(failure)
            elif not raw.tests and raw.infrastructure_error is None:
                raw.infrastructure_error = infrastructure.describe(
                    "No graded test was collected",
                    "mark the course's tests with @pytest.mark.exercise(...), or point --tests at "
                    "the directories that hold them")
            self.finish(prepared.job, prepared.close(prepared.results(raw)))
        return True


def _teardown_all(session) -> None:
    """Tear every fixture down after a run broke off, so the next submission starts clean."""
    try:
        session._setupstate.teardown_exact(None)
    except Exception:  # noqa: BLE001 - the fixtures of a broken run may fail to finish
        pass


def _run_pytest(loop: _SessionLoop, args: list[str]) -> None:
    # pytest is imported here, not with this module: a first submission's worker is launched
    # before this import, so its start-up overlaps pytest's (see grade_many's prefetch).
    import pytest

    pytest.hookimpl(tryfirst=True)(_SessionLoop.pytest_runtestloop)
    sink = io.StringIO()
    with redirect_stdout(sink):
        pytest.main(args, plugins=[loop])
    loop.output = sink.getvalue()


def _variant_of(path: Path, student: str | None, metadata: str | Path | None,
                salt_file: str | Path | None) -> tuple[str | None, str | None, str | None]:
    """(student, salt file) naming the graded variant, or why the submission cannot be graded.

    The salt is checked here, once, so a misconfigured course stops with one clear error rather
    than an error in every variant test; it is passed on as a file name, never on a command line.
    """
    from .variants import SaltError, read_salt, resolve_student

    try:
        who = resolve_student(path, student, metadata)
    except ValueError as exc:
        return None, None, f"Not graded: {exc}"
    if who is None and metadata is not None and not student:
        return None, None, (f"Not graded: {metadata} names no student (it needs users[0].sid or "
                            "users[0].email, as Gradescope's submission_metadata.json has)")
    if who is None:
        return None, None, None
    try:
        read_salt(salt_file)
    except SaltError as exc:
        return None, None, f"Not graded: the course salt is unusable: {exc}"
    return who, (str(Path(salt_file).resolve()) if salt_file is not None else None), None


def _grade_one_subprocess(job: Job, *, isolate: bool, tests, course) -> Results:
    """``runner="subprocess"``: one ``python -m pytest`` run, for callers who want this process
    untouched."""
    course = course or load_course()
    test_dirs = [Path(t).resolve() for t in tests] if tests else default_test_dirs()
    prepared = _Prepared(job, isolate=isolate, course=course)
    if prepared.direct is not None:
        return prepared.close(prepared.direct)
    prepared.target.close()     # the subprocess opens its own
    prepared.target = None
    extra = []
    if prepared.student:
        extra.append(f"--student={prepared.student}")
    if prepared.salt_file:
        extra.append(f"--salt-file={prepared.salt_file}")
    raw = _run_subprocess(prepared.spec, test_dirs, Path(prepared.tmp.name), extra, isolate)
    return prepared.close(prepared.results(raw))


def _write_ungradable(workdir: Path, course: Course, problem: str) -> None:
    """Modules that refuse to import, so the run still lists every test (each failed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.iterdir():
        if old.is_file():
            old.unlink()
    for module in course.modules:
        (workdir / f"{module}.py").write_text(f"raise ImportError({problem!r})\n", encoding="utf-8")


def _pytest_args(test_dirs: list[Path], *, isolate: bool) -> list[str]:
    args = [*map(str, test_dirs),
            "-p", "autograder.pytest_plugin",
            # Third-party plugins (hypothesis's costs a second on import) have no say in a grade.
            "--disable-plugin-autoload",
            "-p", "no:cacheprovider",     # never write .pytest_cache into the course checkout
            # Built-in plugins a grading run has no use for. unraisableexception and
            # threadexception run gc.collect() at session end (~0.1 s); the others are imports,
            # or work around every test (logging's handlers, warnings' catch_warnings).
            "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:doctest",
            "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:legacypath", "-p", "no:stepwise",
            "-p", "no:logging", "-p", "no:warnings",
            # The report is built from our results tree; pytest's terminal output (dots, long
            # tracebacks) is never shown.
            "-p", "no:terminal",
            "-o", "addopts="]
    if isolate:
        # The submission runs in the worker, which keeps its own output; nothing here prints.
        args += ["-p", "no:capture"]
    return args


def _run_subprocess(spec: str, test_dirs: list[Path], tmp: Path, extra_args: list[str],
                    isolate: bool) -> Results:
    out = tmp / "results.json"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *_pytest_args(test_dirs, isolate=isolate),
         f"--target={spec}", *extra_args,
         f"--results-json={out}"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if not out.exists():
        return Results.not_graded(infrastructure.grader_bug(
            f"pytest stopped with exit code {proc.returncode} before writing results: "
            f"{(proc.stdout + proc.stderr).strip()[-500:]}"))
    results = Results.from_dict(json.loads(out.read_text(encoding="utf-8")))
    if proc.returncode not in (0, 1, 5) and results.infrastructure_error is None:
        results.infrastructure_error = infrastructure.grader_bug(
            f"pytest stopped with exit code {proc.returncode}: {proc.stdout.strip()[-500:]}")
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
