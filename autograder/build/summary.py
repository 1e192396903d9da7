"""Points so far, as Markdown: the classroom workflow writes this into ``$GITHUB_STEP_SUMMARY``.

    python -m pytest --results-json=results.json
    python -m autograder.build.summary results.json >> "$GITHUB_STEP_SUMMARY"

The one place the job summary is rendered: it uses the engine's Markdown reporter
(``autograder.reporters.render_markdown``) where the release has it, and a small table of its
own otherwise, so swapping reporters never touches the workflow.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..results import Results


def render_summary(results: Results) -> str:
    try:
        from ..reporters import render_markdown
    except ImportError:
        return render_fallback(results)
    return render_markdown(results)


def _points(value: float) -> str:
    return f"{value:g}"


def render_fallback(results: Results) -> str:
    """One row per exercise: points earned of points possible, and tests passed."""
    lines = [f"## Points so far: {_points(results.score)} / {_points(results.max_score)}", "",
             "| exercise | points | tests passed |", "| --- | ---: | ---: |"]
    for exercise, tests in results.by_exercise().items():
        earned = sum(t.score for t in tests)
        possible = sum(t.max_score for t in tests)
        passed = sum(t.status == "passed" for t in tests)
        lines.append(f"| {exercise} | {_points(round(earned, 6))} / {_points(round(possible, 6))} "
                     f"| {passed} / {len(tests)} |")
    failing = [t for t in results.tests if t.status != "passed" and t.feedback is not None]
    if failing:
        lines += ["", "<details><summary>What to fix first</summary>", ""]
        for test in failing[:10]:
            lines.append(f"- `{test.name}`: {test.feedback.rationale}")
        lines += ["", "</details>"]
    for error in results.errors:
        lines += ["", f"> {error}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.build.summary",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="a file written by pytest --results-json")
    args = parser.parse_args(argv)
    try:
        results = Results.from_dict(json.loads(args.results.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        print(f"No points to show: {args.results} could not be read ({exc}).")
        return 1
    sys.stdout.write(render_summary(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
