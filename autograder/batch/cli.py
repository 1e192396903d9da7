"""The ``grade-all`` sub-command: a progress bar while grading, a summary table at the end."""

from __future__ import annotations

import argparse
import re
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


_IMPORT_FAILURE = re.compile(r"^(\w+)\.py could not be imported: ")


def import_failures(results) -> list[str]:
    """What stopped a submission's modules from importing (a syntax error, an exception at import
    time, a missing file), one message per module, in the order the tests met them.

    The sentence "M.py could not be imported: ..." is the engine's own (the targets write it), so
    a submission cannot fake one by its exception messages, which read "M.f raised ...".
    """
    found: dict[str, str] = {}
    for test in results.tests:
        rationale = test.feedback.rationale if test.feedback else ""
        match = _IMPORT_FAILURE.match(rationale)
        if match and match.group(1) not in found:
            found[match.group(1)] = rationale.splitlines()[0]
    return list(found.values())


def _note(student: str, text: str, style: str):
    """``student: text`` as a rich Text: neither part is read as markup."""
    from rich.text import Text

    from ..untrusted import NAME_CHARS, clean_text

    line = Text(clean_text(student, limit=NAME_CHARS, max_lines=1), style=style)
    line.append(": " + clean_text(text, max_lines=1), style="default")
    return line


def run_grade_all(args: argparse.Namespace, console=None) -> int:
    check_grade_all_args(args)
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn,
                               TextColumn, TimeElapsedColumn, TimeRemainingColumn)
    from rich.table import Table
    from rich.text import Text

    from ..untrusted import NAME_CHARS, clean_text
    from ..usage import UsageError
    from .discover import SubmissionsError
    from .exports import export_all
    from .gradebook import Gradebook
    from .runner import grade_all

    console = console or Console(stderr=True)
    columns = (TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
               TimeRemainingColumn())
    # The bar is shown only once there is something to grade: a class already graded gets the
    # note that says so, not a "0/0 0%" bar.
    progress = Progress(*columns, console=console, transient=False)
    started: dict = {}

    def on_start(todo: int, skipped: int) -> None:
        started["t"] = time.perf_counter()
        if skipped:
            console.print(f"{skipped} submission(s) already graded: skipped "
                          "(--regrade grades them again)")
        if todo:
            started["task"] = progress.add_task("grading", total=todo, rate="")
            progress.start()

    def on_outcome(outcome) -> None:
        task = started.get("task")
        if task is not None:
            progress.advance(task)
            done = progress.tasks[0].completed
            rate = done / max(time.perf_counter() - started["t"], 1e-9)
            progress.update(task, rate=f"{rate:.1f}/s")
        if outcome.error:
            console.print(_note(outcome.submission.student, outcome.error, "red"))
        elif outcome.results is not None:
            for failure in import_failures(outcome.results):
                console.print(_note(outcome.submission.student, failure, "yellow"))

    try:
        summary = grade_all(args.submissions, db_path=args.db, jobs=args.jobs,
                            scheduler=args.scheduler, regrade=args.regrade,
                            isolate=not args.no_isolation, timeout_s=args.timeout,
                            on_start=on_start, on_outcome=on_outcome)
    except SubmissionsError as exc:
        raise UsageError(str(exc)) from None
    finally:
        progress.stop()
    with Gradebook(args.db) as book:
        table = Table(title=f"Gradebook {args.db}")
        for col in ("student", "score", "status", "note"):
            table.add_column(col)
        for row in book.latest_per_student():
            # Cells are Texts: a student's folder name or error is never read as markup.
            table.add_row(Text(clean_text(row.student, limit=NAME_CHARS, max_lines=1)),
                          f"{row.score:g} / {row.max_score:g}", Text(str(row.status)),
                          Text(clean_text(row.error or "", max_lines=1)[:80]))
        Console().print(table)
        if args.export:
            for path in export_all(book, args.export):
                console.print(Text(f"wrote {path}"))
    console.print(f"graded {summary.graded}, errors {summary.errors}, skipped {summary.skipped} "
                  f"in {summary.wall_s:.1f} s")
    return 0
