"""The ``build`` sub-command of ``autograder``: argument parsing and the run."""

from __future__ import annotations

import argparse


def add_build_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``build`` to the ``autograder`` command's sub-commands."""
    parser = subparsers.add_parser(
        "build", help="build the student and Gradescope releases",
        description="Write student.zip, autograder.zip (Gradescope), manifest.json and the "
                    "instructor's CI template into --out; byte-reproducible, leak-checked.")
    parser.add_argument("--out", default="dist", help="output directory (default: dist)")
    parser.add_argument("--stubs", action="store_true",
                        help="first rewrite assignments/ from solutions/ (otherwise a drift is an error)")
    parser.add_argument("--root", default=None, help="the course checkout (default: this one)")
    parser.add_argument("--source-date-epoch", type=int, default=None,
                        help="timestamp of every archive member (default: $SOURCE_DATE_EPOCH, "
                             "else the last commit's time)")
    parser.add_argument("--skip", action="append", default=[], metavar="PRODUCER",
                        help="leave out one producer's files, e.g. `notebooks` (the Keras lab's "
                             "student notebook, which needs otter-grader); listed in the manifest")
    parser.set_defaults(func=run_build)
    return parser


def check_build_args(args: argparse.Namespace) -> None:
    """``--root`` is a course checkout, ``--out`` a folder we can write, ``--skip`` names a step."""
    import os

    from ..course import load_course
    from ..usage import UsageError, require_dir, require_output_dir, shown
    from .release import AUTOGRADER_PRODUCERS, STUDENT_PRODUCERS, load_producers

    if args.root is not None:
        fix = ("--root takes a course checkout (the folder with solutions/ and "
               "autograder/course.toml)")
        root = require_dir(args.root, "the course checkout", fix)
        manifest = root / "autograder" / "course.toml"
        course = load_course(manifest) if manifest.is_file() else load_course()
        if not (root / course.reference_package).is_dir():
            raise UsageError(f"{shown(root)} has no {course.reference_package}/ folder: {fix}")
    require_output_dir(args.out, "the release")
    if args.skip:
        load_producers()
        known = sorted({*STUDENT_PRODUCERS, *AUTOGRADER_PRODUCERS})
        for name in args.skip:
            if name not in known:
                raise UsageError(f"--skip {shown(name)}: no build step has that name; the steps "
                                 f"are {', '.join(known)}")
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if args.source_date_epoch is None and env and not env.isdigit():
        raise UsageError(f"$SOURCE_DATE_EPOCH must be a number of seconds, not {shown(env)}")


def run_build(args: argparse.Namespace) -> int:
    """Run ``autograder build``; the exit code is 0 when every artifact was written."""
    import sys
    import time
    from pathlib import Path

    from .leaks import LeakError
    from .release import ROOT, BuildError, build

    check_build_args(args)
    started = time.perf_counter()
    root = Path(args.root) if args.root else ROOT
    try:
        report = build(root, Path(args.out), write_stubs=args.stubs, epoch=args.source_date_epoch,
                       skip=args.skip)
    except (BuildError, LeakError) as exc:
        print(f"autograder build: {exc}", file=sys.stderr)
        return 2
    for rel in report.rewritten_stubs:
        print(f"{rel}: rewritten from the solutions")
    for name, path in report.artifacts.items():
        print(f"{path}  {report.sizes[name]:>9,} bytes")
    print(f"built in {time.perf_counter() - started:.2f} s (timestamp {report.epoch})")
    return 0
