"""``autograder``: the command line.

    autograder grade PATH [--format table|gradescope|exercism|junit|json|markdown|html] [--output FILE]
                          [--no-isolation] [--tests DIR ...] [--no-timings] [--show-hidden]
    autograder grade-all SUBMISSIONS [-j N] [--db gradebook.sqlite] [--scheduler ADDRESS] [--regrade]
    autograder progress | watch       (students: exercises done, the next one's message and hint)

PATH is a directory of modules, a single .py file, a .zip or a .ipynb notebook. The exit code
says whether the submission was graded (0) or could not be graded (2: unreadable submission,
missing tests, a usage error), never what it scored: a CI job that fails on a low score should
read the score from the report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_GRADED = 0
EXIT_NOT_GRADED = 2


def _parser() -> argparse.ArgumentParser:
    from .reporters import FORMATS

    parser = argparse.ArgumentParser(prog="autograder", description="Grade course submissions.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    grade = commands.add_parser(
        "grade", help="grade one submission and report its score",
        description="Grade one submission (a directory of modules, a .py file, a .zip or a "
                    ".ipynb) and report its score. Exit code 0: graded; 2: could not be graded.")
    grade.add_argument("path", metavar="PATH", help="the submission to grade")
    grade.add_argument("--format", "-f", choices=FORMATS, default="table",
                       help="report format (default: a table in the terminal)")
    grade.add_argument("--output", "-o", metavar="FILE",
                       help="write the report to FILE instead of standard output")
    grade.add_argument("--no-isolation", action="store_true",
                       help="import the submission in the grader's process (trusted code only)")
    grade.add_argument("--tests", action="append", metavar="DIR",
                       help="a test directory to grade with (repeatable; default: tests/public "
                            "and tests/hidden next to the package)")
    grade.add_argument("--runner", choices=("inprocess", "subprocess"), default="inprocess",
                       help="run pytest in this process (default, faster) or in a child process")
    grade.add_argument("--no-timings", action="store_true",
                       help="zero every timing field so reports of two gradings are identical")
    grade.add_argument("--show-hidden", action="store_true",
                       help="show hidden tests' details in every format (instructors)")
    grade.add_argument("--lab-epochs", type=int, default=None, metavar="N",
                       help="epochs for the Keras lab (default: 20 on CPU, 250 on a GPU)")
    from .batch.cli import add_grade_all_parser
    from .progress import add_progress_parsers

    add_grade_all_parser(commands)
    add_progress_parsers(commands)
    return parser


def _grade(args: argparse.Namespace) -> int:
    from .grading import grade
    from .reporters import prepare, render

    results = grade(args.path, isolate=not args.no_isolation, tests=args.tests, runner=args.runner,
                    lab_epochs=args.lab_epochs)
    if not args.no_isolation and results.isolation.startswith("none"):
        print("autograder: warning: the sandbox is not installed; the submission ran in the "
              "grader's process", file=sys.stderr)
    if args.output is None and args.format == "table" and sys.stdout.isatty():
        from rich.console import Console

        from .reporters.table import build_table

        console = Console()
        for error in results.errors:
            console.print(f"[bold red]Could not grade:[/] {error}", highlight=False)
        console.print(build_table(prepare(results, "table", timings=not args.no_timings,
                                          show_hidden=args.show_hidden)))
    else:
        report = render(results, args.format, timings=not args.no_timings,
                        show_hidden=args.show_hidden)
        if args.output:
            out = Path(args.output)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(report, encoding="utf-8")
            print(f"autograder: {results.score:g} / {results.max_score:g} points; "
                  f"{args.format} report written to {out}", file=sys.stderr)
        else:
            sys.stdout.write(report)
            sys.stdout.flush()
    for error in results.errors:
        print(f"autograder: could not grade: {error}", file=sys.stderr)
    return EXIT_NOT_GRADED if results.errors else EXIT_GRADED


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "grade":
        return _grade(args)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
