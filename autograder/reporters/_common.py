"""What every reporter shares: concealing hidden tests, dropping timings, names and messages."""

from __future__ import annotations

import dataclasses
import re

from ..feedback import Feedback
from ..results import Results, TestResult

#: What a student sees of a hidden test, in every format that cannot hide a test itself
#: (check50's ``hidden``: a fixed, kind sentence instead of the details).
HIDDEN_SENTENCE = ("This is a hidden test: its result counts toward your score, "
                   "but its details are not shown.")


def is_concealed(test: TestResult) -> bool:
    return test.visibility != "visible"


def conceal(results: Results) -> Results:
    """A copy of ``results`` in which every non-visible test keeps only its name, status and score.
    A written question ("manual") keeps its message: it holds only the student's own answer."""
    tests = []
    for t in results.tests:
        if is_concealed(t) and t.status != "manual":
            feedback = Feedback(HIDDEN_SENTENCE) if t.status != "passed" else None
            t = dataclasses.replace(t, feedback=feedback, output="", test_code="")
        tests.append(t)
    return dataclasses.replace(results, tests=tests)


def without_timings(results: Results) -> Results:
    """A copy with every wall-clock field zeroed: reports of two gradings then compare equal."""
    return dataclasses.replace(
        results, execution_time=0.0,
        tests=[dataclasses.replace(t, duration=0.0) for t in results.tests])


def exercise_title(results: Results, exercise_id: str) -> str:
    """The exercise's title, as the results carry it (its id when they do not name it)."""
    return results.exercise(exercise_id).title


def task_id(results: Results, exercise_id: str) -> int | None:
    """1-based position of the exercise in the course's teaching order (exercism's ``task_id``)."""
    for i, ex in enumerate(results.exercises, start=1):
        if ex.id == exercise_id:
            return i
    return None


def by_exercise_in_course_order(results: Results) -> dict[str, list[TestResult]]:
    """Tests grouped by exercise, the groups in the course's teaching order (unknown ids last)."""
    order = {ex.id: i for i, ex in enumerate(results.exercises)}
    groups = results.by_exercise()
    return {k: groups[k] for k in sorted(groups, key=lambda k: (order.get(k, len(order)), k))}


def display_name(test: TestResult) -> str:
    """``test_gd_on_a_parabola[2d]`` -> ``gd on a parabola [2d]``."""
    base, _, params = test.name.partition("[")
    words = re.sub(r"^test_?", "", base).replace("_", " ").strip() or base
    return f"{words} [{params}" if params else words


def message(test: TestResult) -> str:
    """What to tell the student about this test ('' when it passed)."""
    if test.status == "passed":
        return ""
    if test.status == "manual":
        return (test.feedback.render() if test.feedback is not None
                else f"This question is {manual_summary(test)}.")
    if test.feedback is not None:
        text = test.feedback.render()
        return f"Skipped (not counted): {text}" if test.status == "skipped" else text
    return {"failed": "This test failed.", "error": "This test raised an error.",
            "skipped": "This test was skipped."}.get(test.status, "")


def manual_summary(test: TestResult) -> str:
    """``graded by hand: 2 points``: what a written question's row says in place of a score."""
    return f"graded by hand: {fmt_points(test.manual_points)} points"


def lab_line(results: Results) -> str | None:
    """``Keras lab: CPU, 20 epochs, 31.2 s`` (None when the lab's tests did not run). The wall
    time is its tests' total duration (left out of reports made without timings)."""
    if not results.lab:
        return None
    wall = sum(t.duration for t in results.tests if t.exercise == "keras_lab")
    line = f"Keras lab: {results.lab.get('device', '?')}, {results.lab.get('epochs', '?')} epochs"
    return f"{line}, {wall:.1f} s" if wall else line   # no time in a report made without timings


def fmt_points(value: float) -> str:
    """``2.0`` -> ``2``, ``1.5`` -> ``1.5``: points as a person writes them."""
    return f"{value:g}"


def infrastructure_line(results: Results) -> str | None:
    """The one line every report shows, instead of any score, when the grading machine failed
    (see :mod:`autograder.infrastructure`); None when it did not. It is for the instructor: it
    says what failed and how to fix it, and nothing in it is about the submission's code."""
    if results.infrastructure_error is None:
        return None
    return ("Not graded: the grading machine failed, not the submission: "
            f"{results.infrastructure_error}")
