"""Gradescope's ``results/results.json``.

Follows the "Autograder Specifications" of gradescope-autograders.readthedocs.io: top-level
``score``, ``execution_time`` (seconds), ``output``, ``visibility``, ``stdout_visibility`` and
``tests[]``, each with ``name``, ``score``, ``max_score``, ``status`` ("passed"/"failed"),
``output``, ``visibility`` and ``tags``. Gradescope hides a test by its ``visibility`` itself, so
this reporter keeps hidden tests' details (instructors see them; students see them when due).
"""

from __future__ import annotations

import json

from ..results import Results
from ._common import display_name, exercise_title, fmt_points, infrastructure_line, message


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
    for t in results.tests:
        output = message(t)
        tests.append({
            "name": f"{exercise_title(t.exercise)}: {display_name(t)}",
            "score": t.score,
            "max_score": t.max_score,
            # Gradescope knows only passed/failed; a skipped test is not a pass.
            "status": "passed" if t.status == "passed" else "failed",
            "output": output,
            "visibility": t.visibility,
            "tags": [t.exercise],
        })
    lines = [f"Score: {fmt_points(results.score)} / {fmt_points(results.max_score)}"]
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
        "extra_data": {"isolation": results.isolation},   # the sandbox level used
        "tests": tests,
    })
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
