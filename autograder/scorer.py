"""The scorer: what each test earned, and the one place a submission's :class:`Results` is built.

Two steps, one per layer above it:

* :func:`score_test` turns one test's outcome (its markers, the exception that ended it, its
  ``credit``) into a :class:`~autograder.results.TestResult`; whoever runs the tests (pytest's
  own protocol through the plugin's hook, or the session's thin runner) calls it, so both give
  the same result for the same outcome. A :class:`RunOutcome` collects them for one run.
* :func:`final_results` builds the submission's Results from that run and from what intake
  learnt about the submission, once: nothing edits it afterwards. Every Results the grader hands
  out passes :func:`~autograder.untrusted.sanitise` here, for every report alike.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .feedback import Failure, Feedback, SubmissionError
from .infrastructure import InfrastructureError
from .results import Exercise, Results, TestResult
from .untrusted import sanitise
from .written import GradedByHand

if TYPE_CHECKING:   # pytest (and numpy, for the diagnosis) are imported once tests run: the
    import pytest   # grader launches a first worker before paying for them


@dataclass(frozen=True)
class Graded:
    """What the markers and the location of a test say about its grading."""
    exercise: str
    points: float
    visibility: str
    suite: str


@dataclass
class RunOutcome:
    """What one run of the collected tests against one target produced."""
    tests: list[TestResult] = field(default_factory=list)
    #: How the target was isolated, as its fixture saw it ("none" when no test used it).
    isolation: str = "none"
    #: The machine failed (the first failure is the one told): nothing of this run counts.
    infrastructure_error: str | None = None
    #: How the Keras lab ran ({"device", "epochs"}), when a test used it.
    lab: dict | None = None

    def note_infrastructure_error(self, exc: BaseException | str) -> None:
        if self.infrastructure_error is None:
            self.infrastructure_error = str(exc)


def feedback_from(excinfo: pytest.ExceptionInfo | None) -> tuple[str, Feedback | None]:
    """The status of a test ended by ``excinfo`` (None: it passed), and what to tell about it."""
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
    import pytest

    if excinfo.errisinstance(pytest.skip.Exception):
        return "skipped", Feedback(str(getattr(exc, "msg", exc)))
    return "error", Feedback(f"{type(exc).__name__}: {exc}",
                             hint="Your code raised an exception; run the public tests locally to see the traceback.")


def score_test(outcome: RunOutcome, item: pytest.Item, graded: Graded, *, when: str,
               excinfo: pytest.ExceptionInfo | None, funcargs: dict, duration: float,
               test_code: str, xfailed: bool = False) -> TestResult:
    """Score one graded test that ended in phase ``when`` ("setup" or "call"), add it to
    ``outcome`` and return it."""
    status, feedback = feedback_from(excinfo)
    if excinfo is not None and isinstance(excinfo.value, InfrastructureError):
        outcome.note_infrastructure_error(excinfo.value)
    if when == "setup" and status == "failed":
        status = "error"
    if xfailed:
        status, feedback = "skipped", Feedback("expected failure")
    if (status == "failed" and feedback is not None and feedback.misconception is None
            and isinstance(excinfo.value, Failure)
            and not isinstance(excinfo.value, SubmissionError)
            and "target" in funcargs):
        # The test did not recognise the wrong answer: replay its calls on the catalogue of
        # known mistakes (trusted code) and name the one that returns what the submission did.
        from .diagnosis import diagnose_test

        found = diagnose_test(item.config, funcargs["target"].calls, graded.exercise)
        if found is not None:
            feedback = dataclasses.replace(feedback, misconception=found.misconception,
                                           hint=found.message)
    points = graded.points
    credit = funcargs.get("credit")
    if status == "passed":
        score = points
    elif credit is not None and status in ("failed", "error"):
        score = round(points * credit.fraction, 6)
    else:
        score = 0.0
    if status == "skipped":
        points = 0.0  # a skipped test is neither earned nor lost, and never counted as passing
    # A written question: no automatic points either way; its own points are the instructor's.
    manual = {"manual_points": float(excinfo.value.question.points)} if status == "manual" else {}
    result = TestResult(
        nodeid=item.nodeid, name=item.name, exercise=graded.exercise, suite=graded.suite,
        status=status, max_score=points, score=score, visibility=graded.visibility,
        feedback=feedback, duration=round(duration, 6), test_code=test_code, **manual)
    outcome.tests.append(result)
    return result


def course_info() -> dict:
    """The course's name and exercises, as every Results carries them for the reports (which
    never read the manifest): ``Results(..., **course_info())``."""
    from .course import load_course

    course = load_course()
    return {"course": course.name,
            "exercises": [Exercise(ex.id, ex.title, ex.hint or "") for ex in course.exercises]}


def run_results(outcome: RunOutcome, *, target: str, execution_time: float) -> Results:
    """The Results of a plain ``pytest`` run (no submission around it), made safe to show."""
    return sanitise(Results(tests=list(outcome.tests), target=target, isolation=outcome.isolation,
                            execution_time=execution_time, lab=outcome.lab,
                            infrastructure_error=outcome.infrastructure_error,
                            **course_info()).settled())


def not_graded(line: str, *, submitted: str, execution_time: float = 0.0) -> Results:
    """A submission the machine (or the course) could not grade: the line, nothing scored."""
    return sanitise(Results.not_graded(line, target=submitted, execution_time=execution_time))


def refused(error: str, *, submitted: str) -> Results:
    """A submission graded at nothing for a reason found before any test ran (``error``)."""
    return sanitise(Results(target=submitted, errors=[error]))


def final_results(outcome: RunOutcome, *, submitted: str, execution_time: float,
                  private_dir: str, problem: str | None = None, provides_nothing: bool = False,
                  unavailable: str | None = None, unisolated: bool = False) -> Results:
    """A graded submission's Results, built once from its test run and its intake.

    ``private_dir``: the temporary folder it was graded from (scrubbed from messages, so two
    gradings give the same report); ``problem``: why the submission could not be read (every
    test then failed with it); ``provides_nothing``: it holds none of the course's modules;
    ``unavailable``: the sandbox could not start its worker; ``unisolated``: isolation was asked
    for and the sandbox is not installed.
    """
    infrastructure_error = outcome.infrastructure_error
    if unavailable is not None and infrastructure_error is None:
        infrastructure_error = unavailable   # a test swallowed it
    if infrastructure_error is not None:
        # The machine failed: nothing of this run counts (no test, so no point awarded or
        # withheld), the lab is not run either.
        return sanitise(Results.not_graded(
            infrastructure_error, target=submitted,
            isolation="not started" if unavailable is not None else outcome.isolation,
            execution_time=execution_time))
    tests = _scrub_tests(outcome.tests, _scrubber(private_dir))
    errors: list[str] = []
    if problem is not None:
        errors.append(problem)
        tests = [dataclasses.replace(
            t, status="failed", score=0.0,
            feedback=Feedback(f"Not graded: {problem}",
                              hint="Fix the submission and hand it in again; nothing was run."))
            for t in tests]
    elif provides_nothing:
        errors.append("The submission provides none of the course modules.")
    isolation = "none (sandbox not installed)" if unisolated else outcome.isolation
    return sanitise(Results(tests=tests, target=submitted, isolation=isolation,
                            execution_time=execution_time, errors=errors, lab=outcome.lab,
                            **course_info()))


_SYNTHETIC_PACKAGE = re.compile(r"\b_target_[0-9a-f]{12}\.")


def _scrubber(tmp: str):
    """Replace the private temporary path in a message, so two gradings give the same report."""
    real = os.path.realpath(tmp)

    def clean(text: str | None) -> str | None:
        if text is None:
            return None
        for prefix in {real, tmp}:
            text = text.replace(prefix + os.sep + "submission", "<submission>").replace(prefix, "<tmp>")
        # The in-process target imports the submission under a package named after its
        # (temporary) path; the student knows their modules by their plain names.
        return _SYNTHETIC_PACKAGE.sub("", text)

    return clean


def _scrub_tests(tests: list[TestResult], clean) -> list[TestResult]:
    scrubbed = []
    for t in tests:
        fb = t.feedback
        if fb is not None:
            fb = dataclasses.replace(fb, rationale=clean(fb.rationale), expected=clean(fb.expected),
                                     actual=clean(fb.actual), hint=clean(fb.hint))
        scrubbed.append(dataclasses.replace(t, feedback=fb, output=clean(t.output)))
    return scrubbed
