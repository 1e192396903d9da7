"""The grading session: the one module that drives pytest.

pytest collects the course's tests once: :func:`run_session` calls ``pytest.main`` with a plugin
object that takes over pytest's test loop through the public ``pytest_runtestloop`` hook. From
there the caller (:mod:`autograder.grading`) runs the collected tests for one submission after
another (``drive(run)``), each run returning a :class:`~autograder.scorer.RunOutcome`. That saves
an interpreter start, an import of numpy and pytest and a collection per submission, which is
most of the cost of a run.

Two test loops give the same outcomes (``tests/engine/test_thin_runner.py`` proves it on the
whole suite, with failures, errors, skips and partial credit):

* ``"pytest"``: pytest's own per-test protocol (``pytest_runtest_protocol``): set-up, call and
  teardown phases, a report per phase, every hook, a FixtureDef per parametrised argument.
* ``"thin"`` (the default where it applies): pytest collects, parametrises and reads the markers;
  each test function is then called directly with its parameters and the grading fixtures
  (``target``, ``lab``, ``variant``, ``credit``, the plain methods of
  :class:`~autograder.pytest_plugin.GradingState`), and its outcome goes to the same scorer.
  A session whose tests use anything else (another fixture, a skip or xfail mark, a test class),
  or that captures output (in-process grading, where pytest's capture keeps the submission's
  prints out of the report), runs pytest's protocol instead: the thin loop only runs what it can
  run exactly as pytest does.
"""

from __future__ import annotations

import io
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

from . import infrastructure, startup
from .scorer import RunOutcome

if TYPE_CHECKING:   # the plugin imports pytest, which run_session imports only when it starts
    from .pytest_plugin import SubmissionUnderTest

TestLoop = Literal["thin", "pytest"]
#: Runs the collected tests for one submission.
RunOne = Callable[["SubmissionUnderTest"], RunOutcome]

#: What the thin loop can give a test: the grading fixtures (``_session_target`` is what
#: ``target`` and ``lab`` are built on) ...
THIN_FIXTURES = frozenset({"target", "_session_target", "lab", "variant", "credit"})
#: ... and the markers it honours (pytest itself applies ``parametrize`` at collection).
THIN_MARKS = frozenset({"exercise", "points", "visibility", "parametrize"})


def pytest_args(test_dirs: list[Path], *, isolate: bool) -> list[str]:
    """pytest's command line for grading ``test_dirs`` (also what the subprocess runner uses)."""
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


def run_session(test_dirs: list[Path], *, isolate: bool, drive: Callable[[RunOne], None],
                test_loop: TestLoop = "thin") -> str | None:
    """Collect the tests of ``test_dirs`` once, then call ``drive(run)``: ``run(submission)``
    runs them for one :class:`~autograder.pytest_plugin.SubmissionUnderTest`.

    Returns None once ``drive`` has run, or the infrastructure line saying why the tests could not
    run at all (a test file that cannot be collected, pytest refusing to start).
    """
    # pytest is imported here, not with the grader: a first submission's worker is launched
    # before this import, so its start-up overlaps pytest's.
    import pytest

    loop = _Loop(drive, test_loop)
    pytest.hookimpl(tryfirst=True)(_Loop.pytest_runtestloop)
    # What pytest prints is never shown (the report is built from the Results), only its last
    # words when it could not start; kept bounded, since a session may live as long as a batch.
    sink = _Tail()
    try:
        with redirect_stdout(sink):
            pytest.main(pytest_args(test_dirs, isolate=isolate), plugins=[loop])
    finally:
        startup.resume_gc()    # where collection failed; else the loop has already done it
    if loop.driven:
        return None
    if loop.collection_errors:
        return infrastructure.describe("; ".join(loop.collection_errors),
                                       "fix the test file (a bug of the course's tests, not of "
                                       "the submission), then grade again")
    return infrastructure.grader_bug(f"pytest could not start: {sink.getvalue().strip()[-500:]}")


class _Tail(io.TextIOBase):
    """A text stream that keeps only the last ``limit`` characters written to it."""

    def __init__(self, limit: int = 4000):
        self.limit, self.text = limit, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text = (self.text + text)[-self.limit:]
        return len(text)

    def getvalue(self) -> str:
        return self.text


class _Loop:
    """The plugin object that hands the collected tests to ``drive``."""

    def __init__(self, drive: Callable[[RunOne], None], test_loop: TestLoop):
        self.drive, self.test_loop = drive, test_loop
        self.collection_errors: list[str] = []
        self.driven = False

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.collection_errors.append(
                f"The test file {report.nodeid} could not be collected: {text[-1] if text else ''}")

    def pytest_runtestloop(self, session) -> bool | None:   # tryfirst: see run_session
        # Start-up ends here: what it built lives as long as the session (see startup.py).
        startup.resume_gc()
        if self.collection_errors:
            return None        # pytest's own loop stops on collection errors; we report them
        from .pytest_plugin import state_of

        items = list(session.items)
        # Output capture is pytest's protocol's (in-process grading keeps a submission's prints
        # out of the report that way); a sandboxed run captures nothing here.
        thin = (self.test_loop == "thin" and not session.config.pluginmanager.has_plugin("capture")
                and all(map(thin_runnable, items)))
        self.thin = thin
        run_items = _ThinRunner(items).run if thin else _protocol_runner(items)
        state = state_of(session.config)

        def run(submission) -> RunOutcome:
            before = set(sys.modules)
            failure = None
            try:
                state.begin(submission)
                run_items(state)
            except Exception as exc:  # noqa: BLE001 - a grader bug costs this submission only
                failure = infrastructure.from_exception(exc)
                if not thin and items:
                    _teardown_all(items[-1])
            finally:
                outcome = state.end()
                # The submission's modules were imported under a synthetic package (in-process
                # targets); forget them so the next submission starts clean.
                for name in set(sys.modules) - before:
                    if name.startswith("_target_"):
                        del sys.modules[name]
            if failure is not None:
                return RunOutcome(infrastructure_error=failure)
            if not outcome.tests and outcome.infrastructure_error is None:
                outcome.note_infrastructure_error(infrastructure.describe(
                    "No graded test was collected",
                    "mark the course's tests with @pytest.mark.exercise(...), or point --tests at "
                    "the directories that hold them"))
            return outcome

        self.driven = True
        self.drive(run)
        return True


def _protocol_runner(items: list) -> Callable:
    """pytest's own loop: every item through ``pytest_runtest_protocol``; the last one runs with
    no next item, so every fixture is torn down before the next submission."""
    def run(state) -> None:
        for i, item in enumerate(items):
            nextitem = items[i + 1] if i + 1 < len(items) else None
            item.ihook.pytest_runtest_protocol(item=item, nextitem=nextitem)
    return run


def _teardown_all(item) -> None:
    """Tear every fixture down after a run broke off, so the next submission starts clean."""
    try:
        item.ihook.pytest_runtest_teardown(item=item, nextitem=None)
    except Exception:  # noqa: BLE001 - the fixtures of a broken run may fail to finish
        pass


def thin_runnable(item) -> bool:
    """Can the thin loop run ``item`` exactly as pytest would? (A plain test function whose
    fixtures are the grading fixtures and its parameters, with no marker but ours.)"""
    import pytest

    if not isinstance(item, pytest.Function) or item.cls is not None:
        return False
    params = getattr(item, "callspec", None)
    params = params.params if params is not None else {}
    return (all(name in THIN_FIXTURES or name in params for name in item.fixturenames)
            and all(mark.name in THIN_MARKS for mark in item.iter_markers()))


class _ThinRunner:
    """Each collected test function called directly, its outcome scored as pytest's would be."""

    def __init__(self, items: list):
        self.items = [(item, _argnames(item), _params(item)) for item in items]

    def run(self, state) -> None:
        fixtures = _SubmissionFixtures(state)
        try:
            for item, argnames, params in self.items:
                _run_one(item, argnames, params, fixtures)
        finally:
            fixtures.teardown()


def _argnames(item) -> tuple[str, ...]:
    code = item.function.__code__
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def _params(item) -> dict:
    callspec = getattr(item, "callspec", None)
    return dict(callspec.params) if callspec is not None else {}


def _run_one(item, argnames: tuple[str, ...], params: dict, fixtures: "_SubmissionFixtures") -> None:
    import pytest
    from .pytest_plugin import record_test
    from .sandbox import pipeline

    funcargs: dict = {}
    when, excinfo = "setup", None
    started = time.perf_counter()
    # The sandbox's pipeline keys the calls it sends ahead by the test and its phase, named
    # as pytest's protocol names them in PYTEST_CURRENT_TEST.
    pipeline.set_current_test(f"{item.nodeid} (setup)")
    try:
        for name in item.fixturenames:
            funcargs[name] = params[name] if name in params else fixtures.get(name)
    except (KeyboardInterrupt, pytest.exit.Exception):
        raise
    except BaseException:  # noqa: BLE001 - as pytest: whatever a set-up raises is its outcome
        excinfo = pytest.ExceptionInfo.from_current()
    else:
        when = "call"
        started = time.perf_counter()
        pipeline.set_current_test(f"{item.nodeid} (call)")
        try:
            item.obj(**{name: funcargs[name] for name in argnames})
        except (KeyboardInterrupt, pytest.exit.Exception):
            raise
        except BaseException:  # noqa: BLE001 - as pytest: whatever a test raises is its outcome
            excinfo = pytest.ExceptionInfo.from_current()
    duration = time.perf_counter() - started
    pipeline.set_current_test(None)
    xfailed = excinfo is not None and excinfo.errisinstance(pytest.xfail.Exception)
    record_test(item, when=when, excinfo=excinfo, funcargs=funcargs, duration=duration,
                xfailed=xfailed)


class _SubmissionFixtures:
    """The grading fixtures of one submission's run, with pytest's scopes: the target and the
    variant once per submission (a set-up failure is remembered and raised again, as pytest
    does for a session fixture), ``target``, ``lab`` and ``credit`` once per test."""

    def __init__(self, state):
        self.state = state
        self._session: dict[str, tuple[object, BaseException | None]] = {}
        self._opened = None

    def _once(self, name: str, make: Callable[[], object]):
        if name not in self._session:
            try:
                self._session[name] = (make(), None)
            except BaseException as exc:
                self._session[name] = (None, exc)
                raise
        value, exc = self._session[name]
        if exc is not None:
            raise exc
        return value

    def _session_target(self):
        def open_():
            self._opened = self.state.open_target()
            return self._opened[0]
        return self._once("_session_target", open_)

    def get(self, name: str):
        from .pytest_plugin import Credit

        if name == "_session_target":
            return self._session_target()
        if name == "target":
            target = self._session_target()
            target.calls.clear()
            return target
        if name == "lab":
            return self.state.lab(self._session_target())
        if name == "variant":
            return self._once("variant", self.state.variant)
        if name == "credit":
            return Credit()
        raise LookupError(f"the thin test loop has no fixture {name!r}")   # thin_runnable's job

    def teardown(self) -> None:
        if self._opened is not None:
            self.state.release_target(*self._opened)
