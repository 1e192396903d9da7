"""Points for GitHub Classroom: the ``result`` output its grading reporter collects.

GitHub Classroom's grading view takes its points from the job ``run-autograding-tests`` of the
workflow ``Autograding Tests``, through ``classroom-resources/autograding-grading-reporter``: for
every runner id it lists, the reporter reads ``<ID>_RESULTS`` (the runner step's ``result``
output), base64-encoded JSON in the shape Classroom's own graders write::

    {"version": 1, "status": "pass" | "fail" | "error", "max_score": 60,
     "tests": [{"name": ..., "status": "pass" | "fail" | "error", "score": 2.5,
                "message": ..., "test_code": ..., "filename": "", "line_no": 0,
                "duration": 120}]}

and reports the tests' scores summed out of ``max_score``. The student release's
``classroom.yml`` makes that output from the public tests' results, one entry per exercise::

    python -m pytest --results-json=results.json
    python -m autograder.build.classroom results.json >> "$GITHUB_OUTPUT"   # result=...

A run that could not grade (no results file, a grading error) is one ``error`` entry saying why,
and 0 points of 0: Classroom then records no points rather than a wrong score.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

from ..reporters._common import (by_exercise_in_course_order, conceal, exercise_title, fmt_points,
                                message)
from ..results import Results
from ..untrusted import clean_text, sanitise

#: Longest message per exercise: the reporter prints it into the job's log.
MESSAGE_CHARS = 1000
NOT_RUN = "The tests did not run: see the 'Public tests' step of this workflow run."


def _points(value: float) -> float | int:
    value = round(value, 6)
    return int(value) if value == int(value) else value


def _counted(n: float, noun: str) -> str:
    return f"{fmt_points(n)} {noun}{'' if n == 1 else 's'}"


def exercise_entry(results: Results, exercise: str, tests: list, *, timings: bool = True) -> dict:
    """One exercise as one Classroom test: its points earned, and what to fix first."""
    earned = sum(t.score for t in tests)
    possible = sum(t.max_score for t in tests)
    passed = sum(t.status == "passed" for t in tests)
    lines = [f"{passed} of {_counted(len(tests), 'test')} passed: {fmt_points(round(earned, 6))} "
             f"of {_counted(round(possible, 6), 'point')}."]
    failing = [t for t in tests if t.status != "passed"]
    if failing:
        lines.append(f"First to fix: {failing[0].name}: {message(failing[0])}")
    return {
        "name": exercise_title(results, exercise),
        "status": "pass" if passed == len(tests) else "fail",
        "score": _points(earned),
        "message": clean_text("\n".join(lines), limit=MESSAGE_CHARS),
        "test_code": f"autograder progress {exercise}",
        "filename": "",
        "line_no": 0,
        "duration": round(sum(t.duration for t in tests) * 1000) if timings else 0,
    }


def not_graded(reason: str) -> dict:
    """The result of a run that graded nothing: one error entry, no points either way."""
    return {"version": 1, "status": "error", "max_score": 0,
            "tests": [{"name": "Grading", "status": "error", "score": 0,
                       "message": clean_text(reason, limit=MESSAGE_CHARS), "test_code": "",
                       "filename": "", "line_no": 0, "duration": 0}]}


def classroom_result(results: Results, *, timings: bool = True) -> dict:
    """``results`` as a Classroom grader's result: one test per exercise, in course order."""
    # A student reads the job's log: hidden tests keep only their name, status and score.
    results = conceal(sanitise(results))
    if results.infrastructure_error is not None:
        return not_graded(results.infrastructure_error)
    if not results.tests:
        return not_graded(results.errors[0] if results.errors else NOT_RUN)
    tests = [exercise_entry(results, ex, group, timings=timings)
             for ex, group in by_exercise_in_course_order(results).items()]
    status = "error" if results.errors else \
        ("pass" if all(t["status"] == "pass" for t in tests) else "fail")
    return {"version": 1, "status": status, "max_score": _points(results.max_score), "tests": tests}


def encode(result: dict) -> str:
    """The ``result`` output's value: compact JSON, UTF-8, base64 (one line)."""
    text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.build.classroom",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="a file written by pytest --results-json")
    parser.add_argument("--no-timings", action="store_true", help="durations as 0 (reproducible)")
    parser.add_argument("--json", action="store_true",
                        help="print the JSON itself, not the `result=<base64>` output line")
    args = parser.parse_args(argv)
    try:
        results = Results.from_dict(json.loads(args.results.read_text(encoding="utf-8")))
    except FileNotFoundError:
        result = not_graded(NOT_RUN)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        result = not_graded(f"{args.results} could not be read ({type(exc).__name__}): {NOT_RUN}")
    else:
        result = classroom_result(results, timings=not args.no_timings)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(f"result={encode(result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
