"""Markdown for GitHub job summaries (``>> $GITHUB_STEP_SUMMARY``) and pull-request comments."""

from __future__ import annotations

from ..results import Results
from ._common import (by_exercise_in_course_order, display_name, exercise_title, fmt_points,
                      infrastructure_line, message)

_ICON = {"passed": "✅", "failed": "❌", "error": "💥", "skipped": "⏭️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render_markdown(results: Results) -> str:
    infra = infrastructure_line(results)
    if infra is not None:
        return f"# Autograder: not graded\n\n> [!CAUTION]\n> {_cell(infra)}\n"
    out = [f"# Autograder: {fmt_points(results.score)} / {fmt_points(results.max_score)} points", ""]
    if results.errors:
        out += ["> [!WARNING]", "> The submission could not be fully graded:"]
        out += [f"> - {_cell(e)}" for e in results.errors]
        out.append("")
    out += ["| Exercise | Points | Tests passed |", "| --- | ---: | ---: |"]
    groups = by_exercise_in_course_order(results)
    for exercise, tests in groups.items():
        passed = sum(t.status == "passed" for t in tests)
        out.append(f"| {_cell(exercise_title(exercise))} (`{exercise}`) | "
                   f"{fmt_points(sum(t.score for t in tests))} / "
                   f"{fmt_points(sum(t.max_score for t in tests))} | {passed} / {len(tests)} |")
    out.append("")
    for exercise, tests in groups.items():
        out += [f"## {exercise_title(exercise)} (`{exercise}`)", "",
                "| | Test | Points |", "| --- | --- | ---: |"]
        for t in tests:
            out.append(f"| {_ICON.get(t.status, '')} | {_cell(display_name(t))} | "
                       f"{fmt_points(t.score)} / {fmt_points(t.max_score)} |")
        out.append("")
        for t in tests:
            text = message(t)
            if t.status != "passed" and text:
                out += [f"**{_cell(display_name(t))}**", "", "```text", text, "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"
