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

What a test earned is decided by :mod:`autograder.scorer` (this plugin hands it each test's
outcome); a grading session (:mod:`autograder.session`) points the run at one submission after
another through :class:`GradingState`, this run's one piece of state.
"""

from __future__ import annotations

import dataclasses
import linecache
import textwrap
import time
import types
from pathlib import Path

import pytest

from .course import load_course
from .feedback import Failure
from .points import points_of_tests
from .results import TestResult
from .scorer import Graded, RunOutcome, run_results, score_test
from .target_spec import TargetSpec, open_target, parse
from .targets import Target
from .written import GradedByHand

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_STATE = pytest.StashKey["GradingState"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "course autograder")
    group.addoption("--target", default=None,
                    help="code under test: a package (assignments, solutions), a directory of "
                         "modules, or sandbox:DIR (a directory run in the sandbox)")
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


@dataclasses.dataclass
class SubmissionUnderTest:
    """What one submission of a multi-submission run is graded against (see
    :meth:`GradingState.begin`).

    The target belongs to whoever began the submission: it is opened (and its worker possibly
    started) before the tests reach it, and closed by them afterwards.
    """
    target: Target
    student: str | None = None
    salt_file: str | None = None


class GradingState:
    """One pytest run's grading state: the submission under test and what its tests earned.

    A plain ``pytest`` run has one, for the target its ``--target`` names. A grading session
    collects the tests once and runs them for many submissions: :meth:`begin` points the next run
    of the collected items at another submission with a fresh :class:`RunOutcome`, :meth:`end`
    hands that outcome over. Between two submissions every fixture is torn down, so the
    session-scoped ``target`` and ``variant`` are built again.

    The fixtures reach this object through a closure (see :func:`_fixtures_for`), not through
    ``request``: pytest builds a fresh FixtureDef (with an ``inspect.signature``) every time a
    fixture that takes ``request`` is used, even a cached session fixture, and that was a fifth
    of a grading session's cost per test. The session's thin runner calls the same methods.
    """

    def __init__(self, config: pytest.Config):
        self.config = config
        self.submission: SubmissionUnderTest | None = None
        self.outcome = RunOutcome()
        self.started = time.perf_counter()

    def begin(self, submission: SubmissionUnderTest) -> None:
        self.submission = submission
        self.outcome = RunOutcome()
        self.started = time.perf_counter()

    def end(self) -> RunOutcome:
        outcome, self.outcome, self.submission = self.outcome, RunOutcome(), None
        return outcome

    def spec(self) -> TargetSpec:
        """The target a plain run's options name."""
        return parse(self.target_text())

    def target_text(self) -> str:
        return self.config.getoption("--target") or self.config.getini("autograder_target")

    def open_target(self) -> tuple[Target, bool]:
        """The code under test, and whether this run owns it (and closes it at the end)."""
        if self.submission is not None:
            target, owned = self.submission.target, False
        else:
            target, owned = open_target(self.spec()), True
        self.outcome.isolation = getattr(target, "isolation", "none")
        return target, owned

    def release_target(self, target: Target, owned: bool) -> None:
        # A failure to start the sandbox is the machine's, even where a test swallowed it.
        unavailable = getattr(target, "infrastructure_error", None)
        if unavailable is not None:
            self.outcome.note_infrastructure_error(unavailable)
        if owned:
            target.close()

    def variant(self):
        """This run's :class:`~autograder.variants.Variant`."""
        from .variants import variant_for_run

        if self.submission is not None:
            return variant_for_run(student=self.submission.student,
                                   salt_file=self.submission.salt_file,
                                   rootdir=self.config.rootpath)
        return variant_for_run(student=self.config.getoption("--student"),
                               salt_file=self.config.getoption("--salt-file"),
                               rootdir=self.config.rootpath)

    def lab(self, target: Target):
        """The Keras lab of ``target`` (:class:`autograder.lab.session.LabSession`)."""
        from .lab.session import gpu_present, lab_session

        session = lab_session(target, self.config.rootpath)
        # The report states how the lab ran (its wall time is the sum of its tests' durations).
        self.outcome.lab = {"device": "GPU" if gpu_present() else "CPU", "epochs": session.epochs}
        return session


def state_of(config: pytest.Config) -> GradingState:
    """The grading state of the pytest run ``config`` belongs to."""
    return config.stash[_STATE]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exercise(id): the course.toml exercise this test grades")
    config.addinivalue_line("markers", "points(n): points this test is worth (default 1)")
    config.addinivalue_line("markers", "visibility(v): one of " + ", ".join(VISIBILITIES))
    config.addinivalue_line("markers", "gpu: needs a GPU; skipped where none is present")
    state = config.stash[_STATE] = GradingState(config)
    # One plugin per run (a grader may run pytest inside a test of the course's own suite).
    config.pluginmanager.register(_fixtures_for(state), f"autograder-fixtures-{id(config)}")
    if not hasattr(config.option, "tbstyle"):
        # A grading run (pytest's terminal plugin, which owns --tb, is off): its tracebacks are
        # never shown, and rendering one costs up to 0.1 s for an exception raised through an
        # import. What --tb=no says; the report is built from our Failure objects.
        config.option.tbstyle = "no"


def _fixtures_for(state: GradingState) -> types.ModuleType:
    """The fixtures that need this run's state, as a plugin of their own (a module object: pytest
    reads fixtures from any registered plugin, and binds a module's functions to nothing)."""
    fixtures = types.ModuleType("autograder_fixtures")

    @pytest.fixture(scope="session", name="_session_target")
    def session_target():
        target, owned = state.open_target()
        try:
            yield target
        finally:
            state.release_target(target, owned)

    @pytest.fixture(name="lab")
    def lab(_session_target: Target):
        """The Keras lab of the code under test (:class:`autograder.lab.session.LabSession`): its
        notebook's functions in a sandboxed TensorFlow worker, and the grader's own replays."""
        return state.lab(_session_target)

    @pytest.fixture(scope="session", name="variant")
    def variant():
        """This run's :class:`~autograder.variants.Variant`: ``variant["gd"]["eta"]``."""
        return state.variant()

    fixtures.session_target, fixtures.lab, fixtures.variant = session_target, lab, variant
    return fixtures


@pytest.fixture
def target(_session_target: Target) -> Target:
    """The code under test: ``target.gradient_descent.gd(...)``.

    One target (one worker, when sandboxed) serves the whole session; its call log is
    per test, so a failure can be matched against known mistakes on the calls it made.
    """
    _session_target.calls.clear()
    return _session_target


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


def _marker_arg(item: pytest.Item, name: str, default):
    marker = item.get_closest_marker(name)
    return marker.args[0] if marker and marker.args else default


_GRADED = pytest.StashKey["Graded | None"]()


_POINTS = pytest.StashKey[float]()


def graded_of(item: pytest.Item) -> Graded | None:
    """The test's exercise, points, visibility and suite (None: not graded), read once per item:
    a grading session runs each item once per submission, and marker lookups walk the tree.
    Its points follow course.toml's rule (:mod:`autograder.points`), set when collection ends."""
    if _GRADED not in item.stash:
        exercise = _marker_arg(item, "exercise", None)
        points = item.stash.get(_POINTS, None)
        item.stash[_GRADED] = None if exercise is None else Graded(
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


def record_test(item: pytest.Item, *, when: str, excinfo: pytest.ExceptionInfo | None,
                funcargs: dict, duration: float, xfailed: bool = False) -> TestResult | None:
    """Score the test ``item`` that ended in phase ``when`` (None: the test is not graded)."""
    graded = graded_of(item)
    if graded is None:
        return None
    return score_test(state_of(item.config).outcome, item, graded, when=when, excinfo=excinfo,
                      funcargs=funcargs, duration=duration, test_code=body_of(item),
                      xfailed=xfailed)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    failure = call.excinfo.value if call.excinfo is not None else None
    if isinstance(failure, Failure):
        # A Failure already says what went wrong in words: show that, not a traceback.
        report.longrepr = f"{item.nodeid}\n{failure.feedback.render()}"
    if isinstance(failure, GradedByHand):
        # A written question neither passes nor fails here: pytest shows it as skipped, saying why.
        report.outcome = "skipped"
        report.longrepr = (str(item.path), (item.location[1] or 0) + 1,
                           f"graded by hand: {failure.question.points:g} points")
    # One result per test: the call phase, or the phase that stopped the test before it.
    if report.when == "call" or (report.when == "setup" and not report.passed):
        result = record_test(item, when=report.when, excinfo=call.excinfo,
                             funcargs=getattr(item, "funcargs", None) or {},
                             duration=report.duration, xfailed=hasattr(report, "wasxfail"))
        if (result is not None and isinstance(failure, Failure) and result.status == "failed"
                and result.feedback is not failure.feedback):
            report.longrepr = f"{item.nodeid}\n{result.feedback.render()}"   # diagnosed


_BODIES: dict = {}


def body_of(item: pytest.Item) -> str:
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
    state = state_of(session.config)
    out = session.config.getoption("--results-json")
    if out:
        # The file is how results leave a plain pytest run (progress, a student's CI): what the
        # submission influenced is made safe to show on the way out, as grade() does.
        results = run_results(state.outcome, target=state.target_text(),
                              execution_time=round(time.perf_counter() - state.started, 3))
        Path(out).write_text(results.to_json(), encoding="utf-8")
