"""The ``grade-all`` sub-command: a progress bar while grading, a summary table at the end."""

from __future__ import annotations

import argparse
import time

# Only the parser is built on every `autograder` command: rich, the gradebook and the runner are
# imported when grade-all runs (they cost a tenth of `autograder grade`'s start-up otherwise).
DEFAULT_TIMEOUT_S = 300.0


def add_grade_all_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "grade-all", help="grade every submission of a directory into a SQLite gradebook",
        description="Grade one submission per sub-directory, zip, notebook or .py file "
                    "(plain, Gradescope-export and GitHub-Classroom-export layouts).")
    p.add_argument("submissions", help="directory holding the submissions")
    p.add_argument("-j", "--jobs", type=int, default=2, help="local grading processes (default 2)")
    p.add_argument("--db", default="gradebook.sqlite", help="gradebook file (default gradebook.sqlite)")
    p.add_argument("--scheduler", default=None,
                   help="grade on Dask: a scheduler address (tcp://host:8786) or local:N")
    p.add_argument("--regrade", action="store_true", help="grade again what is already graded")
    p.add_argument("--no-isolation", action="store_true",
                   help="run submissions in-process (trusted code only)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                   help="seconds one submission may take before it is recorded as an error")
    p.add_argument("--export", metavar="DIR", default=None,
                   help="also write students.csv, tests.csv, gradescope.csv and histogram.png")
    p.set_defaults(func=run_grade_all)
    return p


SQLITE_HEADER = b"SQLite format 3\x00"


def check_grade_all_args(args: argparse.Namespace) -> None:
    """Every path and option of ``grade-all`` is usable, before a progress bar or a gradebook."""
    from ..usage import (UsageError, require_at_least, require_dir, require_output_dir,
                         require_output_file, shown)

    require_dir(args.submissions, "the submissions",
                "give the folder holding one submission per sub-folder, zip, notebook or .py file")
    db = require_output_file(args.db, "the gradebook")
    if db.is_file():
        with db.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
        if header and header != SQLITE_HEADER:
            raise UsageError(f"{shown(db)} is not a SQLite gradebook: name a new file or an "
                             "existing gradebook with --db")
    if args.export:
        require_output_dir(args.export, "the exports")
    require_at_least(args.jobs, 1, "-j/--jobs")
    if not args.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    if args.scheduler is not None:
        kind, _, rest = args.scheduler.partition(":")
        local_ok = kind == "local" and rest.isdigit() and int(rest) >= 1
        if not local_ok and "://" not in args.scheduler:
            raise UsageError(f"--scheduler takes local:N (N workers here) or a Dask scheduler's "
                             f"address such as tcp://host:8786, not {shown(args.scheduler)}")


def run_grade_all(args: argparse.Namespace, console=None) -> int:
    check_grade_all_args(args)
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn,
                               TextColumn, TimeElapsedColumn, TimeRemainingColumn)
    from rich.table import Table
    from rich.text import Text

    from ..usage import escape_controls

    from .discover import SubmissionsError
    from .exports import export_all
    from .gradebook import Gradebook
    from .runner import grade_all

    console = console or Console(stderr=True)
    columns = (TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("grading", total=None, rate="")
        started = {}

        def on_start(todo: int, skipped: int) -> None:
            started["t"] = time.perf_counter()
            progress.update(task, total=todo)
            if skipped:
                progress.console.print(f"{skipped} submission(s) already graded: skipped "
                                       "(--regrade grades them again)")

        def on_outcome(outcome) -> None:
            progress.advance(task)
            done = progress.tasks[0].completed
            rate = done / max(time.perf_counter() - started["t"], 1e-9)
            progress.update(task, rate=f"{rate:.1f}/s")
            if outcome.error:  # a student's name is a folder's name: printed as itself
                progress.console.print(Text.assemble((escape_controls(outcome.submission.student),
                                                      "red"), ": ", escape_controls(outcome.error)))

        try:
            summary = grade_all(args.submissions, db_path=args.db, jobs=args.jobs,
                                scheduler=args.scheduler, regrade=args.regrade,
                                isolate=not args.no_isolation, timeout_s=args.timeout,
                                on_start=on_start, on_outcome=on_outcome)
        except SubmissionsError as exc:
            from ..usage import UsageError

            raise UsageError(str(exc)) from None
    with Gradebook(args.db) as book:
        table = Table(title=Text(f"Gradebook {escape_controls(args.db)}"))
        for col in ("student", "score", "status", "note"):
            table.add_column(col)
        for row in book.latest_per_student():
            table.add_row(Text(escape_controls(row.student)), f"{row.score:g} / {row.max_score:g}",
                          row.status, Text(escape_controls((row.error or "")[:80])))
        Console().print(table)
        if args.export:
            for path in export_all(book, args.export):
                console.print(f"wrote {path}")
    console.print(f"graded {summary.graded}, errors {summary.errors}, skipped {summary.skipped} "
                  f"in {summary.wall_s:.1f} s")
    return 0
