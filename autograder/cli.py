"""``autograder``: the command line.

    autograder grade PATH [--format table|gradescope|exercism|junit|json|markdown|html] [--output FILE]
                          [--no-isolation] [--tests DIR ...] [--no-timings] [--show-hidden]
    autograder grade-all SUBMISSIONS [-j N] [--db gradebook.sqlite] [--scheduler ADDRESS] [--regrade]
    autograder progress | watch       (students: exercises done, the next one's message and hint)
    autograder build [--out dist] [--stubs]   (student.zip, autograder.zip, manifest.json)
    autograder variant --student ID [--json] [--salt-file FILE]   (instructors: a student's numbers)

PATH is a directory of modules, a single .py file, a .zip or a .ipynb notebook. The exit code
says whether the submission was graded (0) or could not be graded (2: unreadable submission,
missing tests, a usage error), never what it scored: a CI job that fails on a low score should
read the score from the report.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NoReturn

from .usage import (OneLineParser, UsageError, escape_controls, require_at_least, require_file,
                    require_file_or_dir, require_output_dir, require_output_file, run_command,
                    shown)

EXIT_GRADED = 0
EXIT_NOT_GRADED = 2


def _parser() -> argparse.ArgumentParser:
    from .reporters import FORMATS

    parser = OneLineParser(prog="autograder", description="Grade course submissions.")
    parser.add_argument("--version", action="version", version=f"autograder {_version()}")
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
    grade.add_argument("--verbose", "-v", action="store_true",
                       help="table: every test with its whole message (default: a summary per "
                            "exercise, then the failing tests)")
    grade.add_argument("--lab-epochs", type=int, default=None, metavar="N",
                       help="epochs for the Keras lab (default: 20 on CPU, 250 on a GPU)")
    _add_variant_options(grade, required=False)
    grade.add_argument("--metadata", metavar="FILE",
                       help="Gradescope submission_metadata.json naming the student (default: the "
                            "one beside PATH, as in /autograder/submission_metadata.json)")
    variant = commands.add_parser(
        "variant", help="show a student's variant (instructors; needs the course salt)",
        description="Print the parameters a student's per-student variant uses. Needs the course "
                    "salt ($AUTOGRADER_SALT, $AUTOGRADER_SALT_FILE or --salt-file).")
    _add_variant_options(variant, required=False)
    variant.add_argument("--roster", metavar="FILE",
                         help="a file of student ids, one a line (instead of --student)")
    variant.add_argument("--json", action="store_true", help="print the variant.json a release ships")
    variant.add_argument("--release", metavar="ZIP",
                         help="write a per-student copy of this student.zip (with the student's "
                              "variant.json) for each student, into --out")
    variant.add_argument("--out", metavar="DIR", default=None,
                         help="where --release writes student-<id>.zip (default: beside ZIP, in students/)")
    variant.set_defaults(func=_variant)
    from .batch.cli import add_grade_all_parser
    from .build import add_build_parser
    from .course_files import add_course_parser
    from .progress import add_progress_parsers

    add_grade_all_parser(commands)
    add_progress_parsers(commands)
    add_build_parser(commands)
    add_course_parser(commands)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def _add_variant_options(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument("--student", metavar="ID", required=required,
                        help="the student whose variant is graded (an id or an email)")
    parser.add_argument("--salt-file", metavar="FILE",
                        help="file holding the course's secret salt (else $AUTOGRADER_SALT or "
                             "$AUTOGRADER_SALT_FILE)")


def _variant(args: argparse.Namespace) -> int:
    from .variants import SaltError, read_salt, variant_for

    try:
        salt = read_salt(args.salt_file)
    except SaltError as exc:
        raise UsageError(str(exc)) from None
    if salt is None:
        raise UsageError("refusing: no course salt is configured, so every student has the "
                         "default variant. Set $AUTOGRADER_SALT or $AUTOGRADER_SALT_FILE, or pass "
                         "--salt-file FILE (the salt is kept out of the repository).")
    students = [args.student] if args.student else []
    if args.roster:
        try:
            lines = Path(args.roster).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the roster {shown(args.roster)}: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
        students += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not students:
        raise UsageError("name a student (--student ID) or a roster (--roster FILE)")
    if args.release:
        from .build.release import BuildError
        from .variants.release import personal_releases

        out = Path(args.out) if args.out else Path(args.release).resolve().parent / "students"
        try:
            written = personal_releases(args.release, students, salt, out)
        except (OSError, ValueError, BuildError) as exc:
            raise UsageError(str(exc)) from None
        print(f"autograder variant: wrote {len(written)} per-student release(s) into {out}",
              file=sys.stderr)
        return EXIT_GRADED
    try:
        chosen = [variant_for(student, salt) for student in students]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        sys.stdout.write(chosen[0].to_json() if len(chosen) == 1 else
                         json.dumps({v.student: v.params for v in chosen}, indent=1, sort_keys=True) + "\n")
        return EXIT_GRADED
    for variant in chosen:
        _print_variant(variant)
    return EXIT_GRADED


def _print_variant(variant) -> None:
    print(f"Variant of student {variant.student}:")
    for exercise, params in variant.params.items():
        # exact values as written in variants.toml, without JSON's quotes: eta=3/20, x0=[3, -2]
        shown = ", ".join(f"{k}={json.dumps(v, separators=(', ', '='))}".replace('"', "")
                          for k, v in params.items())
        print(f"  {exercise:22s} {shown}")


def _grade(args: argparse.Namespace) -> int:
    from . import startup

    if startup.own_process:
        startup.defer_gc()    # until the tests are collected (the session resumes it)
    from .grading import grade
    from .reporters import prepare, render
    from .reporters._common import infrastructure_line

    results = grade(args.path, isolate=not args.no_isolation, tests=args.tests, runner=args.runner,
                    lab_epochs=args.lab_epochs, student=args.student, metadata=args.metadata,
                    salt_file=args.salt_file)
    startup.resume_gc()       # where no session resumed it (the tests could not be collected)
    if not results.errors:  # warnings about how it was graded, when it was
        _warn_without_salt(args)
    _log_isolation(results, isolate=not args.no_isolation)
    if args.output is None and args.format == "table" and sys.stdout.isatty():
        from rich.console import Console

        from .reporters.table import build_report

        Console(highlight=False).print(build_report(
            prepare(results, "table", timings=not args.no_timings, show_hidden=args.show_hidden),
            verbose=args.verbose))
    else:
        report = render(results, args.format, timings=not args.no_timings,
                        show_hidden=args.show_hidden, verbose=args.verbose)
        if args.output and args.format == "gradescope" and results.infrastructure_error:
            # No results.json at all: Gradescope then shows "the autograder failed" rather
            # than a score; the line goes to the log (Gradescope's stdout, for instructors).
            Path(args.output).unlink(missing_ok=True)
        elif args.output:
            out = Path(args.output)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(report, encoding="utf-8")
            print(f"autograder: {results.score:g} / {results.max_score:g} points; "
                  f"{args.format} report written to {out}", file=sys.stderr)
        else:
            sys.stdout.write(report)
            sys.stdout.flush()
    for error in results.errors:  # one line each, whatever the submission's name holds
        print(f"autograder: could not grade: {escape_controls(error)}", file=sys.stderr)
    if results.infrastructure_error is not None:
        print(f"autograder: {infrastructure_line(results)}", file=sys.stderr)
    return EXIT_GRADED if results.graded else EXIT_NOT_GRADED


def _log_isolation(results, *, isolate: bool) -> None:
    """The sandbox level in the run's log (Gradescope keeps stderr for instructors), in words
    that say what happened."""
    if results.infrastructure_error is not None or results.errors:
        return          # nothing was graded; the one error line says why
    if isolate and results.isolation == "none (sandbox not installed)":
        print("autograder: warning: the sandbox is not installed; the submission was imported "
              "in the grader's process", file=sys.stderr)
        return
    print(f"autograder: sandbox level: {results.isolation}", file=sys.stderr)
    if isolate:
        from .sandbox.fallback import fallback_warning

        warning = fallback_warning(results.isolation)
        if warning:
            print(f"autograder: warning: {warning}", file=sys.stderr)


def _warn_without_salt(args: argparse.Namespace) -> None:
    from .variants import SaltError, read_salt

    try:
        salt = read_salt(args.salt_file)
    except SaltError:
        return                     # grade() already reported it as an error
    if (args.student or args.metadata) and salt is None:
        print("autograder: warning: no course salt: graded against the default variant",
              file=sys.stderr)


def _check_grade_args(args: argparse.Namespace) -> None:
    """What ``grade`` is given exists and has the right type, before anything is graded.

    A submission that is there but cannot be read (a corrupt zip, a notebook that is not JSON)
    is not a usage error: it is graded, as a report saying why it scores nothing.
    """
    require_file_or_dir(args.path, "the submission",
                        "give the submission's folder, .py file, .zip or .ipynb")
    for tests in args.tests or ():
        require_file_or_dir(tests, "tests", "--tests takes a folder or file of pytest tests")
    if args.output:
        require_output_file(args.output, "the report")
    if args.metadata:
        require_file(args.metadata, "metadata", "--metadata takes Gradescope's "
                     "submission_metadata.json")
    if args.salt_file:
        require_file(args.salt_file, "the salt file", "--salt-file takes the file holding the "
                     "course's salt")
    require_at_least(args.lab_epochs, 1, "--lab-epochs")


def _check_variant_args(args: argparse.Namespace) -> None:
    if args.roster:
        require_file(args.roster, "a roster", "--roster takes a file of student ids, one a line")
    if args.salt_file:
        require_file(args.salt_file, "the salt file", "--salt-file takes the file holding the "
                     "course's salt")
    if args.release:
        require_file(args.release, "a release", "--release takes the student.zip "
                     "`autograder build` wrote")
        if args.out:
            require_output_dir(args.out, "the per-student releases")


def _run(args: argparse.Namespace) -> int:
    if args.command == "grade":
        _check_grade_args(args)
        return _grade(args)
    if args.command == "variant":
        _check_variant_args(args)
    return args.func(args)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_command(f"autograder {args.command}", _run, args)


def run() -> NoReturn:
    """The ``autograder`` program (the console script and ``python -m autograder``): :func:`main`
    in a process of its own, which skips the collector during start-up and the interpreter's
    tear-down at the end (see :mod:`autograder.startup`)."""
    from . import startup

    startup.own_process = True
    try:
        code = main()
    except SystemExit as exc:   # argparse's --help, --version and usage errors
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    startup.exit_now(code)


if __name__ == "__main__":  # pragma: no cover
    run()
