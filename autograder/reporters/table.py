"""The terminal view: one rich table (exercise, test, points, status, message) and a total."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..results import Results
from ._common import (by_exercise_in_course_order, display_name, exercise_title, fmt_points,
                      infrastructure_line, message)

_STYLE = {"passed": "green", "failed": "red", "error": "bold red", "skipped": "yellow"}


def build_table(results: Results) -> Table:
    table = Table(title=f"Score: {fmt_points(results.score)} / {fmt_points(results.max_score)}",
                  box=box.SIMPLE_HEAVY, show_footer=True)
    table.add_column("Exercise", footer="Total", max_width=24)
    table.add_column("Test", max_width=32)
    table.add_column("Points", justify="right",
                     footer=f"{fmt_points(results.score)} / {fmt_points(results.max_score)}")
    table.add_column("Status")
    table.add_column("Message", ratio=1, min_width=40)
    for exercise, tests in by_exercise_in_course_order(results).items():
        title = exercise_title(exercise)
        for i, t in enumerate(tests):
            table.add_row(title if i == 0 else "", display_name(t),
                          f"{fmt_points(t.score)} / {fmt_points(t.max_score)}",
                          Text(t.status, style=_STYLE.get(t.status, "")), message(t),
                          end_section=(i == len(tests) - 1))
    return table


def render_table(results: Results, *, color: bool = False, width: int = 140) -> str:
    """The table as text (``color=True`` keeps ANSI colours, for a terminal)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None,
                      no_color=not color, highlight=False)
    infra = infrastructure_line(results)
    if infra is not None:
        console.print(Text(infra, style="bold red"))    # no table: nothing was graded
    else:
        for error in results.errors:
            console.print(Text(f"Could not grade: {error}", style="bold red"))
        console.print(build_table(results))
    # rich pads every line to the full width; trailing blanks only make files and diffs noisy.
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
