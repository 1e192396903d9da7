"""The course's pytest plugin: the ``target`` fixture, points, visibility, and the scorer.

* ``--target=assignments|solutions|DIR`` chooses the code under test (default: the ini option
  ``autograder_target``: ``solutions`` in the instructor's repository, ``assignments`` in a
  student release).
* ``@pytest.mark.exercise("gd")`` ties a test to an exercise of ``course.toml``; only such tests
  are graded. ``@pytest.mark.points(2)`` sets its worth (default 1), and
  ``@pytest.mark.visibility("after_due_date")`` when a platform should hide it until then.
* The ``credit`` fixture gives partial credit: ``credit.award(0.5)`` keeps half the points even if
  a later assertion of the same test fails.
* ``--results-json=FILE`` writes the :class:`~autograder.results.Results` tree of the run.
* The ``variant`` fixture is the student's per-student variant (:mod:`autograder.variants`):
  computed from ``--student ID`` and the course salt when grading, else the ``variant.json`` of a
  student release, else the default variant.
"""

from __future__ import annotations

import dataclasses
import linecache
import textwrap
import time
from pathlib import Path

import pytest

from .course import load_course
from .points import points_of_tests
from .diagnosis import diagnose_test
from .feedback import Failure, Feedback, SubmissionError
from .infrastructure import InfrastructureError
from .results import Results, TestResult
from .targets import Target, open_target
from .written import GradedByHand

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_RESULTS = pytest.StashKey[Results]()
_SUBMISSION = pytest.StashKey["Submission"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "course autograder")
    group.addoption("--target", default=None,
                    help="code under test: a package (assignments, solutions) or a directory of modules")
    group.addoption("--results-json", default=None, metavar="FILE",
                    help="write the graded results of this run as JSON")
    parser.addini("autograder_target", "default for --target", default="solutions")
    # Per-student variants: who is graded, and where the course's secret salt is (it may also
    # come from $AUTOGRADER_SALT or $AUTOGRADER_SALT_FILE; never from the repository).
    group.addoption("--student", default=None, metavar="ID",
                    help="grade this student's variant (needs the course salt)")
    group.addoption("--salt-file", default=None, metavar="FILE",
                    help="file holding the course's secret salt for --student")
    parser.addini("autograder_misconceptions",
                  "directory of the misconception catalogue, relative to rootdir (absent: no diagnosis)",
                  default="tests/misconceptions")


#: The configs of the pytest runs under way in this process, innermost last (a grader may run
#: pytest inside a test of the course's own suite). The fixtures read it rather than asking for
#: ``request``: pytest builds a fresh FixtureDef (with an ``inspect.signature``) every time a
#: fixture that takes ``request`` is used, even a cached session fixture, and that was a fifth
#: of a grading session's cost per test.
_CONFIGS: list[pytest.Config] = []


def _config() -> pytest.Config:
    return _CONFIGS[-1]


def pytest_unconfigure(config: pytest.Config) -> None:
    if config in _CONFIGS:
        _CONFIGS.remove(config)


def pytest_configure(config: pytest.Config) -> None:
    _CONFIGS.append(config)
    config.addinivalue_line("markers", "exercise(id): the course.toml exercise this test grades")
    config.addinivalue_line("markers", "points(n): points this test is worth (default 1)")
    config.addinivalue_line("markers", "visibility(v): one of " + ", ".join(VISIBILITIES))
    config.addinivalue_line("markers", "gpu: needs a GPU; skipped where none is present")
    config.stash[_RESULTS] = Results(target=target_spec(config))
    if not hasattr(config.option, "tbstyle"):
        # A grading run (pytest's terminal plugin, which owns --tb, is off): its tracebacks are
        # never shown, and rendering one costs up to 0.1 s for an exception raised through an
        # import. What --tb=no says; the report is built from our Failure objects.
        config.option.tbstyle = "no"
    config._autograder_started = time.perf_counter()


def target_spec(config: pytest.Config) -> str:
    return config.getoption("--target") or config.getini("autograder_target")


def make_target(config: pytest.Config) -> Target:
    """Build the target for this run. A hook so another plugin (the sandbox) can supply its own."""
    hooked = config.pluginmanager.hook.pytest_autograder_make_target(config=config)
    return hooked if hooked is not None else open_target(target_spec(config))


class _Hooks:
    @pytest.hookspec(firstresult=True)
    def pytest_autograder_make_target(self, config: pytest.Config):
        """Return a Target for the run, or None to use the in-process default."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(_Hooks)


@dataclasses.dataclass
class Submission:
    """What one submission of a multi-submission run is graded against (see ``begin_submission``).

    The target belongs to whoever began the submission: it is opened (and its worker possibly
    started) before the tests reach it, and closed by them afterwards.
    """
    target: Target
    student: str | None = None
    salt_file: str | None = None


def begin_submission(config: pytest.Config, submission: Submission) -> None:
    """Point the next run of the collected items at another submission, with fresh results.

    A grading session collects the tests once and runs them for many submissions; between two
    submissions every fixture is torn down (the last item runs with ``nextitem=None``), so the
    session-scoped ``target`` and ``variant`` are built again from this.
    """
    config.stash[_SUBMISSION] = submission
    config.stash[_RESULTS] = Results(target=submission.target.description)
    config._autograder_started = time.perf_counter()


def end_submission(config: pytest.Config) -> Results:
    results = config.stash[_RESULTS]
    results.execution_time = round(time.perf_counter() - config._autograder_started, 3)
    if _SUBMISSION in config.stash:
        del config.stash[_SUBMISSION]
    return results


def reset_item(item: pytest.Item) -> None:
    """Forget what the previous submission's run left on a test item before running it again."""
    item._report_sections = []  # captured output of the last run (pytest appends, never clears)


@pytest.fixture(scope="session")
def _session_target():
    config = _config()
    submission = config.stash.get(_SUBMISSION, None)
    tgt = submission.target if submission is not None else make_target(config)
    try:
        config.stash[_RESULTS].isolation = getattr(tgt, "isolation", "none")
        yield tgt
    finally:
        # A failure to start the sandbox is the machine's, even where a test swallowed it.
        unavailable = getattr(tgt, "infrastructure_error", None)
        if unavailable is not None:
            note_infrastructure_error(config, unavailable)
        if submission is None:
            tgt.close()


@pytest.fixture
def target(_session_target: Target) -> Target:
    """The code under test: ``target.gradient_descent.gd(...)``.

    One target (one worker, when sandboxed) serves the whole session; its call log is
    per test, so a failure can be matched against known mistakes on the calls it made.
    """
    _session_target.calls.clear()
    return _session_target


@pytest.fixture
def lab(_session_target: Target):
    """The Keras lab of the code under test (:class:`autograder.lab.session.LabSession`): its
    notebook's functions in a sandboxed TensorFlow worker, and the grader's own replays."""
    from .lab.session import gpu_present, lab_session

    session = lab_session(_session_target, _config().rootpath)
    # The report states how the lab ran (its wall time is the sum of its tests' durations).
    _config().stash[_RESULTS].lab = {"device": "GPU" if gpu_present() else "CPU",
                                     "epochs": session.epochs}
    return session


@pytest.fixture(scope="session")
def variant():
    """This run's :class:`~autograder.variants.Variant`: ``variant["gd"]["eta"]``."""
    from .variants import variant_for_run

    config = _config()
    submission = config.stash.get(_SUBMISSION, None)
    if submission is not None:
        return variant_for_run(student=submission.student, salt_file=submission.salt_file,
                               rootdir=config.rootpath)
    return variant_for_run(student=config.getoption("--student"),
                           salt_file=config.getoption("--salt-file"), rootdir=config.rootpath)


class Credit:
    """Partial credit for the running test: the largest fraction awarded is kept on failure."""

    def __init__(self) -> None:
        self.fraction = 0.0
        self.reasons: list[str] = []

    def award(self, fraction: float, reason: str = "") -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("a credit fraction lies in [0, 1]")
        self.fraction = max(self.fraction, fraction)
        if reason:
            self.reasons.append(reason)


@pytest.fixture
def credit() -> Credit:
    """Partial credit for this test: ``credit.award(fraction, reason)``."""
    return Credit()


def _funcargs(item: pytest.Item) -> dict:
    """The fixture values of the running test (``target``, ``credit``), by name."""
    return getattr(item, "funcargs", None) or {}


def _marker_arg(item: pytest.Item, name: str, default):
    marker = item.get_closest_marker(name)
    return marker.args[0] if marker and marker.args else default


@dataclasses.dataclass(frozen=True)
class _Graded:
    """What the markers and the location of a test say about its grading."""
    exercise: str
    points: float
    visibility: str
    suite: str


_GRADED = pytest.StashKey["_Graded | None"]()


_POINTS = pytest.StashKey[float]()


def _graded(item: pytest.Item) -> _Graded | None:
    """The test's exercise, points, visibility and suite (None: not graded), read once per item:
    a grading session runs each item once per submission, and marker lookups walk the tree.
    Its points follow course.toml's rule (:mod:`autograder.points`), set when collection ends."""
    if _GRADED not in item.stash:
        exercise = _marker_arg(item, "exercise", None)
        points = item.stash.get(_POINTS, None)
        item.stash[_GRADED] = None if exercise is None else _Graded(
            exercise, float(_marker_arg(item, "points", 1)) if points is None else points,
            _marker_arg(item, "visibility", "visible"), _suite_of(item))
    return item.stash[_GRADED]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Share each exercise's worth across the tests this run collected (after -k and -m), in
    proportion to their points markers: the rule of course.toml's [points] table."""
    graded = [(item, _marker_arg(item, "exercise", None)) for item in session.items]
    graded = [(item, exercise) for item, exercise in graded if exercise is not None]
    shares = points_of_tests([(exercise, float(_marker_arg(item, "points", 1))) for item, exercise in graded])
    for (item, _), share in zip(graded, shares):
        item.stash[_POINTS] = share


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    course = load_course()
    for item in items:
        exercise = _marker_arg(item, "exercise", None)
        if exercise is None:
            continue
        course.exercise(exercise)  # an unknown id is a test bug: fail collection loudly
        visibility = _marker_arg(item, "visibility", "visible")
        if visibility not in VISIBILITIES:
            raise pytest.UsageError(f"{item.nodeid}: visibility {visibility!r} is not one of {VISIBILITIES}")
        points = _marker_arg(item, "points", 1)
        if not isinstance(points, (int, float)) or points < 0:
            raise pytest.UsageError(f"{item.nodeid}: points must be a non-negative number")


def _suite_of(item: pytest.Item) -> str:
    parts = Path(str(item.path)).parts
    return "hidden" if "hidden" in parts else "public"


def note_infrastructure_error(config: pytest.Config, exc: InfrastructureError) -> None:
    """Mark this run as not graded: the machine failed (the first failure is the one told)."""
    results = config.stash[_RESULTS]
    if results.infrastructure_error is None:
        results.infrastructure_error = str(exc)


def _feedback_from(excinfo: pytest.ExceptionInfo | None) -> tuple[str, Feedback | None]:
    if excinfo is None:
        return "passed", None
    exc = excinfo.value
    if isinstance(exc, InfrastructureError):
        # Not the submission's doing: no hint aimed at the student (the run is not graded).
        return "error", Feedback(f"Not graded: {exc}")
    if isinstance(exc, GradedByHand):
        return "manual", Feedback(str(exc))
    if isinstance(exc, Failure):
        return "failed", exc.feedback
    if isinstance(exc, AssertionError):
        return "failed", Feedback(str(exc).strip() or "an assertion failed")
    if excinfo.errisinstance(pytest.skip.Exception):
        return "skipped", Feedback(str(getattr(exc, "msg", exc)))
    return "error", Feedback(f"{type(exc).__name__}: {exc}",
                             hint="Your code raised an exception; run the public tests locally to see the traceback.")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if call.excinfo is not None and isinstance(call.excinfo.value, Failure):
        # A Failure already says what went wrong in words: show that, not a traceback.
        report.longrepr = f"{item.nodeid}\n{call.excinfo.value.feedback.render()}"
    if call.excinfo is not None and isinstance(call.excinfo.value, GradedByHand):
        # A written question neither passes nor fails here: pytest shows it as skipped, saying why.
        report.outcome = "skipped"
        report.longrepr = (str(item.path), (item.location[1] or 0) + 1,
                           f"graded by hand: {call.excinfo.value.question.points:g} points")
    graded = _graded(item)
    if graded is None:
        return
    exercise = graded.exercise
    # One result per test: the call phase, or the phase that stopped the test before it.
    if report.when == "call" or (report.when == "setup" and not report.passed):
        status, feedback = _feedback_from(call.excinfo)
        if call.excinfo is not None and isinstance(call.excinfo.value, InfrastructureError):
            note_infrastructure_error(item.config, call.excinfo.value)
        if report.when == "setup" and status == "failed":
            status = "error"
        if hasattr(report, "wasxfail"):
            status, feedback = "skipped", Feedback("expected failure")
        if (status == "failed" and feedback is not None and feedback.misconception is None
                and isinstance(call.excinfo.value, Failure)
                and not isinstance(call.excinfo.value, SubmissionError)
                and "target" in _funcargs(item)):
            # The test did not recognise the wrong answer: replay its calls on the catalogue of
            # known mistakes (trusted code) and name the one that returns what the submission did.
            found = diagnose_test(item.config, _funcargs(item)["target"].calls, exercise)
            if found is not None:
                feedback = dataclasses.replace(feedback, misconception=found.misconception,
                                               hint=found.message)
                report.longrepr = f"{item.nodeid}\n{feedback.render()}"
        points = graded.points
        credit = _funcargs(item).get("credit")
        if status == "passed":
            score = points
        elif credit is not None and status in ("failed", "error"):
            score = round(points * credit.fraction, 6)
        else:
            score = 0.0
        if status == "skipped":
            points = 0.0  # a skipped test is neither earned nor lost, and never counted as passing
        # A written question: no automatic points either way; its own points are the instructor's.
        manual_points = call.excinfo.value.question.points if status == "manual" else 0.0
        item.config.stash[_RESULTS].tests.append(TestResult(
            nodeid=item.nodeid, name=item.name, exercise=exercise, suite=graded.suite,
            status=status, max_score=points, score=score,
            visibility=graded.visibility,
            feedback=feedback, duration=round(report.duration, 6), test_code=_body_of(item),
            **({"manual_points": float(manual_points)} if status == "manual" else {})))


_BODIES: dict = {}


def _body_of(item: pytest.Item) -> str:
    """The source of a test function's body (what exercism's ``test_code`` shows).

    Cached per function, and read from the code object's line numbers rather than with
    ``inspect.getsource``: its tokenizer cost half a millisecond a test, a sixth of a whole grade.
    """
    code = getattr(getattr(item, "function", None), "__code__", None)
    if code is None:
        return ""
    if code not in _BODIES:
        _BODIES[code] = _body_from_lines(linecache.getlines(code.co_filename),
                                         code.co_firstlineno, _last_line(code))
    return _BODIES[code]


def _last_line(code) -> int:
    """The last source line the function's bytecode (or a nested function's) comes from."""
    last = max((line for _, _, line in code.co_lines() if line is not None), default=0)
    for const in code.co_consts:
        if hasattr(const, "co_lines"):
            last = max(last, _last_line(const))
    return last


def _body_from_lines(lines: list[str], first: int, last: int) -> str:
    """Lines ``first..`` (1-based, decorators included) minus decorators and signature.

    The body ends at ``last`` or, past it, at the first line indented no deeper than ``def``
    (a call's closing bracket on a line of its own has no bytecode).
    """
    i = first - 1
    while i < len(lines) and not lines[i].lstrip().startswith(("def ", "async def ")):
        i += 1
    if i >= len(lines):
        return ""
    indent = len(lines[i]) - len(lines[i].lstrip())
    while i < len(lines) and not lines[i].split("#")[0].rstrip().endswith(":"):
        i += 1
    end = max(last, i + 1)
    while end < len(lines) and (not lines[end].strip()
                                or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    return textwrap.dedent("".join(lines[i + 1:end])).strip()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    results = config.stash[_RESULTS]
    results.execution_time = round(time.perf_counter() - config._autograder_started, 3)
    out = config.getoption("--results-json")
    if out:
        # The file is how results leave a plain pytest run (progress, a student's CI): what the
        # submission influenced is made safe to show on the way out, as grade() does.
        from .untrusted import sanitise

        Path(out).write_text(sanitise(results.settled()).to_json(), encoding="utf-8")


def results_of(config: pytest.Config) -> Results:
    """The results collected so far in this pytest run (for in-process callers)."""
    return config.stash[_RESULTS]
