"""Gradescope's ``results/results.json``.

Follows the "Autograder Specifications" of gradescope-autograders.readthedocs.io: top-level
``score``, ``execution_time`` (seconds), ``output``, ``visibility``, ``stdout_visibility`` and
``tests[]``, each with ``name``, ``score``, ``max_score``, ``status`` ("passed"/"failed"),
``output``, ``visibility`` and ``tags``. Gradescope hides a test by its ``visibility`` itself, so
this reporter keeps hidden tests' details (instructors see them; students see them when due).

Two things every student sees from the first submission on are kept to the visible tests: the
top-level ``output`` (its total counts visible tests only, so it gives away nothing of the hidden
ones before they are released) and the test names, which are unique (Gradescope matches tests by
name) and the same from run to run.
"""

from __future__ import annotations

import json

from pathlib import PurePosixPath

from ..results import Results, TestResult
from ._common import display_name, exercise_title, fmt_points, infrastructure_line, lab_line, message


def render_gradescope(results: Results) -> str:
    infra = infrastructure_line(results)
    if infra is not None:
        # No score: a results.json without one is not accepted, so Gradescope shows its
        # "autograder failed" state (and `autograder grade` does not even write this file).
        return json.dumps({"output": infra, "visibility": "visible", "stdout_visibility": "hidden",
                           "extra_data": {"isolation": results.isolation,
                                          "infrastructure_error": results.infrastructure_error},
                           "tests": []}, indent=2, ensure_ascii=False) + "\n"
    tests = []
    for t, name in zip(results.tests, unique_names(results)):
        output = message(t)
        if t.status == "manual":
            # otter leaves a manual question to Gradescope's manual grading: here it is a
            # zero-point entry tagged "manual", its points and the answer in the output.
            tests.append({"name": f"{name} (graded by hand)", "score": 0, "max_score": 0,
                          "status": "passed", "output": output,
                          "visibility": "visible", "tags": [t.exercise, "manual"],
                          "extra_data": {"manual": True, "points": t.manual_points}})
            continue
        tests.append({
            "name": name,
            "score": t.score,
            "max_score": t.max_score,
            # Gradescope knows only passed/failed; a skipped test is not a pass.
            "status": "passed" if t.status == "passed" else "failed",
            "output": output,
            "visibility": t.visibility,
            "tags": [t.exercise],
        })
    lines = score_lines(results)
    if results.manual:
        lines.append(f"Written questions graded by hand: {len(results.manual)}, "
                     f"{fmt_points(sum(t.manual_points for t in results.manual))} points "
                     "(not in this score).")
    if lab_line(results):
        lines.append(lab_line(results))
    if results.errors:
        lines.append("The submission could not be fully graded:")
        lines.extend(f"- {e}" for e in results.errors)
    data = {"score": results.score}
    if results.execution_time:
        data["execution_time"] = results.execution_time
    data.update({
        "output": "\n".join(lines),
        "visibility": "visible",
        # The grader's own stdout is for instructors debugging the autograder, not for students.
        "stdout_visibility": "hidden",
        "extra_data": {"isolation": results.isolation,    # the sandbox level used
                       **({"lab": results.lab} if results.lab else {})},
        "tests": tests,
    })
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def score_lines(results: Results) -> list[str]:
    """The total a student may see now: all of it when every test is visible, else the visible
    tests' points only (the hidden tests' share would tell how the student did on them)."""
    visible = [t for t in results.tests if t.visibility == "visible"]
    if len(visible) == len(results.tests):
        return [f"Score: {fmt_points(results.score)} / {fmt_points(results.max_score)}"]
    score = round(sum(t.score for t in visible), 6)
    maximum = round(sum(t.max_score for t in visible), 6)
    return [f"Visible tests: {fmt_points(score)} / {fmt_points(maximum)}",
            "Hidden tests count toward your score too; their results are shown once they are "
            "released."]


def unique_names(results: Results) -> list[str]:
    """``Exercise: test name``, qualified where two tests would share a name: by the suite
    (public/hidden), then the test file, then the node id. A function of the tests collected, so
    the same from run to run."""
    tests = results.tests

    def file_of(t: TestResult) -> str:
        return PurePosixPath(t.nodeid.split("::", 1)[0]).stem

    qualifiers = (lambda t: t.suite, lambda t: f"{t.suite}, {file_of(t)}", lambda t: t.nodeid)
    names = [f"{exercise_title(results, t.exercise)}: {display_name(t)}" for t in tests]
    for qualify in qualifiers:
        seen: dict[str, int] = {}
        for name in names:
            seen[name] = seen.get(name, 0) + 1
        if all(n == 1 for n in seen.values()):
            break
        base = [f"{exercise_title(results, t.exercise)}: {display_name(t)}" for t in tests]
        names = [f"{b} ({qualify(t)})" if seen[n] > 1 else n
                 for b, n, t in zip(base, names, tests)]
    return names
