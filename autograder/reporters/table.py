"""The terminal view: what a person reads after ``autograder grade``.

By default, two tables short enough to read: one row per exercise (points, status, and the first
failing test's message with its known-mistake hint), then the other failing tests, one line each
(at most :data:`FAILING_PER_EXERCISE` per exercise, the rest counted). ``verbose=True`` shows every test with its whole
message instead. The footer says the total and how the submission was sandboxed.

Every piece of text becomes a rich :class:`~rich.text.Text`, never a markup string: a message
holding ``[link=https://...]`` or ``[/]`` is shown as those characters, not obeyed. (Control
characters and escape sequences were removed before, by :mod:`autograder.untrusted`.)
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..results import Results, TestResult
from ._common import (by_exercise_in_course_order, display_name, exercise_title, fmt_points,
                      infrastructure_line, is_concealed, lab_line, message)

_STYLE = {"passed": "green", "failed": "red", "error": "bold red", "skipped": "yellow", "manual": "cyan"}
#: Failing tests listed per exercise by default; the rest are counted (``--verbose`` lists all).
FAILING_PER_EXERCISE = 2
#: A hint in the summary is cut to this many characters (about two lines); --verbose shows it all.
HINT_CHARS = 170


def _points(tests: list[TestResult]) -> str:
    return (f"{fmt_points(sum(t.score for t in tests))} / "
            f"{fmt_points(sum(t.max_score for t in tests))}")


def _total(results: Results) -> str:
    return f"{fmt_points(results.score)} / {fmt_points(results.max_score)}"


def _sandbox_line(results: Results) -> Text:
    return Text(f"sandbox: {results.isolation}", style="dim")


def _one_line(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def _failing(tests: list[TestResult]) -> list[TestResult]:
    return [t for t in tests if t.status in ("failed", "error")]


def _exercise_status(tests: list[TestResult]) -> Text:
    failing = len(_failing(tests))
    if failing:
        return Text(f"{failing} failing", style="red")
    if all(t.status in ("passed", "manual") for t in tests):
        return Text("done" + (", written answers graded by hand" if any(t.status == "manual" for t in tests)
                              else ""), style="green")
    return Text("skipped", style="yellow")


def _first_failing(tests: list[TestResult]) -> TestResult | None:
    """The failing test the summary shows: a visible one if any (a hidden one shows only the
    fixed sentence)."""
    failing = _failing(tests)
    return next((t for t in failing if not is_concealed(t)), failing[0] if failing else None)


def _first_failure(tests: list[TestResult]) -> Text:
    """The first failing test's first line, and what the known mistake or hint says."""
    test = _first_failing(tests)
    if test is None:
        return Text("")
    fb = test.feedback
    if fb is None:
        return Text(message(test))
    text = Text(fb.rationale.splitlines()[0] if fb.rationale else test.status)
    hint = " ".join((fb.hint or "").split())
    if len(hint) > HINT_CHARS:
        hint = hint[:HINT_CHARS - 1].rstrip() + "…"
    if fb.misconception:
        text.append("\nknown mistake: ", style="yellow")
        text.append(fb.misconception, style="bold yellow")
        if hint:
            text.append(f": {hint}")
    elif hint:
        text.append("\nhint: ", style="yellow")
        text.append(hint)
    return text


def build_summary(results: Results) -> Table:
    """One row per exercise: points, status, the first failure."""
    table = Table(title=f"Score: {_total(results)}", box=box.SIMPLE_HEAVY, show_footer=True)
    table.add_column("Exercise", footer="Total", max_width=28)
    table.add_column("Points", justify="right", footer=_total(results), no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("First failure", ratio=1, min_width=40, footer=_sandbox_line(results))
    for exercise, tests in by_exercise_in_course_order(results).items():
        table.add_row(Text(exercise_title(results, exercise)), _points(tests), _exercise_status(tests),
                      _first_failure(tests))
    return table


def build_failing(results: Results) -> Table | None:
    """The failing tests the summary did not show, one line each (None when there are none)."""
    groups = {}
    for exercise, tests in by_exercise_in_course_order(results).items():
        shown = _first_failing(tests)
        # A failure that says what the summary already said (a missing module, a missing
        # function, a notebook not handed in) is one mistake, not one per test.
        told = message(shown).splitlines()[:1] if shown is not None else []
        groups[exercise] = [t for t in _failing(tests)
                            if t is not shown and message(t).splitlines()[:1] != told]
    groups = {ex: tests for ex, tests in groups.items() if tests}
    if not groups:
        return None
    table = Table(title="More failing tests", box=box.SIMPLE_HEAVY, show_edge=False)
    # One line per test: the Texts are cut with an ellipsis, not wrapped. (A no_wrap column
    # instead would make rich drop the Points column when the messages are long.)
    table.add_column("Exercise", max_width=24)
    table.add_column("Test", max_width=34)
    table.add_column("Points", justify="right", no_wrap=True)
    table.add_column("Message", ratio=1)
    for exercise, tests in groups.items():
        title = exercise_title(results, exercise)
        for i, t in enumerate(tests[:FAILING_PER_EXERCISE]):
            first_line = (message(t).splitlines() or [""])[0]
            table.add_row(_one_line(title if i == 0 else ""), _one_line(display_name(t)),
                          f"{fmt_points(t.score)} / {fmt_points(t.max_score)}",
                          _one_line(first_line, style=_STYLE.get(t.status, "")))
        if len(tests) > FAILING_PER_EXERCISE:
            table.add_row("", Text(f"… and {len(tests) - FAILING_PER_EXERCISE} more", style="dim"))
            table.caption = "--verbose lists every test with its whole message"
    return table


def build_manual(results: Results) -> Table | None:
    """The written questions, graded by hand: their points and whether an answer was found."""
    manual = results.manual
    if not manual:
        return None
    table = Table(title="Graded by hand (not in the score above)", box=box.SIMPLE_HEAVY, show_edge=False)
    table.add_column("Exercise", max_width=24)
    table.add_column("Question", max_width=34)
    table.add_column("Points", justify="right", no_wrap=True)
    table.add_column("Answer", ratio=1)
    for t in manual:
        answer = (t.feedback.rationale if t.feedback else "").partition("\nAnswer:\n")[2]
        table.add_row(_one_line(exercise_title(results, t.exercise)), _one_line(display_name(t)),
                      f"{fmt_points(t.manual_points)}",
                      _one_line(" ".join(answer.split()) or "no answer found", style="cyan"))
    return table


def build_table(results: Results) -> Table:
    """Every test with its whole message (``--verbose``)."""
    table = Table(title=f"Score: {_total(results)}", box=box.SIMPLE_HEAVY, show_footer=True)
    table.add_column("Exercise", footer="Total", max_width=24)
    table.add_column("Test", max_width=32)
    table.add_column("Points", justify="right", footer=_total(results))
    table.add_column("Status")
    table.add_column("Message", ratio=1, min_width=40, footer=_sandbox_line(results))
    for exercise, tests in by_exercise_in_course_order(results).items():
        title = exercise_title(results, exercise)
        for i, t in enumerate(tests):
            table.add_row(Text(title if i == 0 else ""), Text(display_name(t)),
                          f"{fmt_points(t.manual_points)} by hand" if t.status == "manual"
                          else f"{fmt_points(t.score)} / {fmt_points(t.max_score)}",
                          Text(t.status, style=_STYLE.get(t.status, "")), Text(message(t)),
                          end_section=(i == len(tests) - 1))
    return table


def build_report(results: Results, *, verbose: bool = False) -> RenderableType:
    """What the terminal shows: grading errors, then the summary and failing tests (or, with
    ``verbose``, every test)."""
    infra = infrastructure_line(results)
    if infra is not None:
        return Text(infra, style="bold red")    # no table: nothing was graded
    parts: list[RenderableType] = []
    for error in results.errors:
        line = Text("Could not grade: ", style="bold red")
        line.append(error)
        parts.append(line)
    if verbose:
        parts.append(build_table(results))
    else:
        parts.append(build_summary(results))
        failing = build_failing(results)
        if failing is not None:
            parts.append(failing)
        manual = build_manual(results)
        if manual is not None:
            parts.append(manual)
    lab = lab_line(results)
    if lab is not None:
        parts.append(Text(lab, style="dim"))
    return Group(*parts)


def render_table(results: Results, *, color: bool = False, width: int = 140,
                 verbose: bool = False) -> str:
    """The report as text (``color=True`` keeps ANSI colours, for a terminal)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color,
                      color_system="standard" if color else None, no_color=not color,
                      highlight=False)
    console.print(build_report(results, verbose=verbose))
    # rich pads every line to the full width; trailing blanks only make files and diffs noisy.
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
