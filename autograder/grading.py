"""Grade submissions: materialise each, run the course's tests against it, return :class:`Results`.

``grade(path)`` is what ``autograder grade PATH`` calls; ``grade_many(paths)`` is what each of
``grade-all``'s workers runs. The tests are the ordinary pytest files of ``tests/public`` (and
``tests/hidden`` where the instructor's checkout has them); they reach the submission through the
``target`` fixture, pointed at a private copy of the submission.

The layers, one type across each boundary:

* intake: a path becomes a materialised submission (:func:`~autograder.submission.materialise`)
  and the student whose variant it is graded on (:class:`_Prepared`);
* targets: :func:`~autograder.target_spec.choose` decides isolation once, as a typed spec, and
  :func:`~autograder.target_spec.open_target` opens it;
* session: :func:`~autograder.session.run_session` collects the tests once, in this process, and
  runs them once per submission, giving a :class:`~autograder.scorer.RunOutcome`;
* scorer: :func:`~autograder.scorer.final_results` builds each submission's :class:`Results`
  once, final and sanitised; reporters render it.

The next submission is prepared (copied, its sandbox launched) while the current one's tests
run. ``runner="subprocess"`` runs ``python -m pytest ... --results-json`` instead, for callers who
want the grader's own process untouched; both give the same results.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal

from . import infrastructure, scorer
from .course import Course, load_course
from .results import Results
from .scorer import RunOutcome
from .session import TestLoop, pytest_args, run_session
from .submission import SubmissionProblem, materialise
from .target_spec import SandboxSpec, choose, open_target, sandbox_available  # noqa: F401 - re-exported

REPO_ROOT = Path(__file__).resolve().parent.parent
Runner = Literal["inprocess", "subprocess"]


def default_test_dirs(root: Path = REPO_ROOT) -> list[Path]:
    """The public tests, and the hidden ones when this checkout has them."""
    dirs = [root / "tests" / "public", root / "tests" / "hidden"]
    return [d for d in dirs if d.is_dir()]


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
               keep: bool = True, test_loop: TestLoop = "thin") -> list[Results]:
    """Grade many submissions in one pytest session: the tests are collected once.

    Each submission still gets its own private copy and its own sandboxed worker; only the
    grader's side (pytest, the collected test modules, the ground truth) is shared. The next
    submission is copied and its worker started while the current one's tests run, so a worker's
    start-up overlaps grading. ``jobs`` may be a lazy iterable (a queue of incoming work):
    ``on_result(job, results)`` is called as each submission is done, in order. Returns the
    results in the order of ``jobs`` (none with ``keep=False``: a long-lived batch worker hands
    each on and keeps nothing). ``test_loop``: see :mod:`autograder.session` (both give the same
    results).
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
    why_not = None
    if missing_tests or not test_dirs:
        why_not = infrastructure.describe(
            "No tests to grade with: " + (", ".join(missing_tests) or "neither tests/public nor "
                                          "tests/hidden exists next to the package"),
            "grade from the course checkout or an unpacked autograder.zip, or name the test "
            "directories with --tests")
    else:
        queue.prefetch()    # the first worker starts while pytest collects the tests

        def drive(run) -> None:
            for prepared in queue:
                if prepared.direct is None:
                    queue.prefetch()
                finish(prepared.job, prepared.graded(run))

        with _calls_ahead(test_dirs, course, isolate=isolate):
            why_not = run_session(test_dirs, isolate=isolate, drive=drive, test_loop=test_loop) \
                or infrastructure.grader_bug("the grading session ended before this submission")
    for prepared in queue:   # the tests never ran: say why, for every job left
        finish(prepared.job, prepared.not_graded(why_not))
    return done


def _calls_ahead(test_dirs: list[Path], course: Course, *, isolate: bool):
    """The recording of the reference's calls that this session sends calls ahead with (see
    :mod:`autograder.sandbox.pipeline`): where this checkout holds the hidden tests, the one
    in its cache, recorded first when missing or stale if the reference solutions are here and
    ``test_dirs`` are the course's own tests. Isolated grading only (predictions are the
    sandbox's)."""
    from .sandbox import pipeline

    if not isolate:
        return pipeline.using(None)
    reference = REPO_ROOT / course.reference_package
    own = [d.resolve() for d in default_test_dirs()] == test_dirs
    return pipeline.using(pipeline.for_tests(test_dirs, root=REPO_ROOT, reference=reference,
                                             make=own))


def _as_job(job: Job | str | Path) -> Job:
    return job if isinstance(job, Job) else Job(Path(job))


class _Prepared:
    """A submission made ready to run: copied, its target opened, its worker (being) started."""

    def __init__(self, job: Job, *, isolate: bool, course: Course):
        self.job, self.isolate = job, isolate
        self.tmp = tempfile.TemporaryDirectory(prefix="autograder-")
        self.direct: Results | None = None     # not graded by the test session (why)
        self.problem: str | None = None
        self.materialised = None
        self.spec = None
        self.target = None
        self.student: str | None = None
        self.salt_file: str | None = None
        path = job.path
        student, salt_file, variant_error = _variant_of(path, job.student, job.metadata,
                                                        job.salt_file)
        if variant_error is not None:
            self.direct = scorer.refused(variant_error, submitted=str(path))
            return
        self.student, self.salt_file = student, salt_file
        workdir = Path(self.tmp.name) / "submission"
        try:
            self.materialised = materialise(path, workdir, course)
        except SubmissionProblem as exc:
            self.problem = str(exc)
            _write_ungradable(workdir, course, self.problem)
        self.spec = choose(workdir, isolate=isolate, lab_epochs=job.lab_epochs)
        self.target = open_target(self.spec)

    @classmethod
    def failed(cls, job: Job, why: str) -> "_Prepared":
        """A job the grader could not prepare (``why``: its infrastructure line)."""
        prepared = cls.__new__(cls)
        prepared.job, prepared.target = job, None
        prepared.tmp = tempfile.TemporaryDirectory(prefix="autograder-")
        prepared.direct = scorer.not_graded(why, submitted=str(job.path))
        return prepared

    def graded(self, run: Callable) -> Results:
        """Run the collected tests on this submission (``run``: the session's) and release it."""
        if self.direct is not None:
            return self.close(self.direct)
        from .pytest_plugin import SubmissionUnderTest

        started = time.perf_counter()     # not while it waited its turn
        outcome = run(SubmissionUnderTest(self.target, self.student, self.salt_file))
        return self.close(self.results(outcome, started))

    def not_graded(self, why: str) -> Results:
        """This submission, not graded because the tests could not run (``why``)."""
        return self.close(scorer.not_graded(why, submitted=str(self.job.path)))

    def results(self, outcome: RunOutcome, started: float) -> Results:
        """The submission's final results, from its test run and what its intake found."""
        unavailable = getattr(self.target, "infrastructure_error", None)
        materialised = self.materialised
        return scorer.final_results(
            outcome, submitted=str(self.job.path),
            execution_time=round(time.perf_counter() - started, 3), private_dir=self.tmp.name,
            problem=self.problem,
            provides_nothing=(materialised is not None and not materialised.found and not any(
                n.status == "ok" for n in [*materialised.notebooks.values(),
                                           *materialised.written.values()])),
            unavailable=None if unavailable is None else str(unavailable),
            unisolated=self.isolate and not isinstance(self.spec, SandboxSpec))

    def close(self, results: Results) -> Results:
        """Release the submission's worker and copy; return ``results``."""
        if self.target is not None:
            self.target.close()
            self.target = None
        self.tmp.cleanup()
        return results


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
    started = time.perf_counter()
    prepared.target.close()     # the subprocess opens its own
    prepared.target = None
    extra = []
    if prepared.student:
        extra.append(f"--student={prepared.student}")
    if prepared.salt_file:
        extra.append(f"--salt-file={prepared.salt_file}")
    spec = prepared.spec
    text = f"sandbox:{spec.directory}" if isinstance(spec, SandboxSpec) else str(spec.directory)
    outcome = _run_subprocess(text, test_dirs, Path(prepared.tmp.name), extra, isolate)
    return prepared.close(prepared.results(outcome, started))


def _write_ungradable(workdir: Path, course: Course, problem: str) -> None:
    """Modules that refuse to import, so the run still lists every test (each failed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.iterdir():
        if old.is_file():
            old.unlink()
    for module in course.modules:
        (workdir / f"{module}.py").write_text(f"raise ImportError({problem!r})\n", encoding="utf-8")


def _run_subprocess(spec: str, test_dirs: list[Path], tmp: Path, extra_args: list[str],
                    isolate: bool) -> RunOutcome:
    """The outcome of one ``python -m pytest --target=SPEC --results-json`` run: the child's
    results file, read back as a run outcome (its command line is the one text form of a spec)."""
    out = tmp / "results.json"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *pytest_args(test_dirs, isolate=isolate),
         f"--target={spec}", *extra_args,
         f"--results-json={out}"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if not out.exists():
        return RunOutcome(infrastructure_error=infrastructure.grader_bug(
            f"pytest stopped with exit code {proc.returncode} before writing results: "
            f"{(proc.stdout + proc.stderr).strip()[-500:]}"))
    results = Results.from_dict(json.loads(out.read_text(encoding="utf-8")))
    outcome = RunOutcome(tests=results.tests, isolation=results.isolation,
                         infrastructure_error=results.infrastructure_error)
    if proc.returncode not in (0, 1, 5):
        outcome.note_infrastructure_error(infrastructure.grader_bug(
            f"pytest stopped with exit code {proc.returncode}: {proc.stdout.strip()[-500:]}"))
    return outcome
