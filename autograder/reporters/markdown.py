"""Markdown for GitHub job summaries (``>> $GITHUB_STEP_SUMMARY``) and pull-request comments.

A message may hold anything a submission chose (sanitised of control characters, but not of
markdown): backticks, ``# headings``, ``<img>`` tags, ``[links](...)``. So a message goes in a
code fence longer than any run of backticks inside it (CommonMark: a fence closes only on a run
at least as long), and every other piece of text is escaped: ``<``, ``>`` and ``&`` as HTML
entities, every other ASCII punctuation character with a backslash, newlines as ``<br>``.
"""

from __future__ import annotations

import re

from ..results import Results
from ._common import (by_exercise_in_course_order, display_name, exercise_title, fmt_points,
                      infrastructure_line, lab_line, manual_summary, message)

_ICON = {"passed": "✅", "failed": "❌", "error": "💥", "skipped": "⏭️", "manual": "✍️"}
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# Any ASCII punctuation character may be backslash-escaped in CommonMark. These are the ones
# that start markup in the middle of a line (text here never starts a line): emphasis, code,
# links and images, table pipes, math, mentions, footnotes. "-", "+", "=" and the like only mean
# something at the start of a line, so they stay readable.
_PUNCTUATION = frozenset("\\`*_{}[]()#!|~$@^")
# GitHub also links bare ``www.host`` and ``scheme://host`` (GFM's autolink extension): the dot
# after www and the colon before // are escaped too, and no other, to keep the text readable.
_AUTOLINK = re.compile(r"(?i)(?<=www)\.|:(?=//)")


def _cell(text: str) -> str:
    """Plain text for a table cell or a line of prose: nothing in it is read as markup."""
    out = []
    autolink = {m.start() for m in _AUTOLINK.finditer(text)}
    for i, char in enumerate(text):
        if i in autolink:
            out.append("\\" + char)
        elif char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char in _PUNCTUATION:
            out.append("\\" + char)
        elif char == "\n":
            out.append("<br>")
        else:
            out.append(char)
    return "".join(out)


def _fenced(text: str) -> list[str]:
    """``text`` in a code block that nothing inside it can close."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", text, fence]


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
        automatic = sum(t.status != "manual" for t in tests)   # written questions are not tests
        out.append(f"| {_cell(exercise_title(results, exercise))} (`{exercise}`) | "
                   f"{fmt_points(sum(t.score for t in tests))} / "
                   f"{fmt_points(sum(t.max_score for t in tests))} | {passed} / {automatic} |")
    out.append("")
    if results.manual:
        out += [f"Written questions graded by hand (not in the score): {len(results.manual)}, "
                f"{fmt_points(sum(t.manual_points for t in results.manual))} points.", ""]
    if lab_line(results):
        out += [_cell(lab_line(results)), ""]
    for exercise, tests in groups.items():
        out += [f"## {_cell(exercise_title(results, exercise))} (`{exercise}`)", "",
                "| | Test | Points |", "| --- | --- | ---: |"]
        for t in tests:
            points = (manual_summary(t) if t.status == "manual"
                      else f"{fmt_points(t.score)} / {fmt_points(t.max_score)}")
            out.append(f"| {_ICON.get(t.status, '')} | {_cell(display_name(t))} | {points} |")
        out.append("")
        for t in tests:
            text = message(t)
            if t.status != "passed" and text:
                out += [f"**{_cell(display_name(t))}**", "", *_fenced(text), ""]
    return "\n".join(out).rstrip("\n") + "\n"
