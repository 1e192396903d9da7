"""``python -m autograder.lab grade NOTEBOOK [--epochs N] [--json FILE]`` and ``build [SRC] DST``.

A small front door for the GPU workflow and for instructors until ``autograder grade`` dispatches
``.ipynb`` files here. Exit status: 0 when the notebook was graded (whatever the score), 1 when it
could not be graded, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import SOURCE, BuildError, build_student_notebook
from .grade import grade_lab_with_run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.lab")
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade a lab notebook")
    grade.add_argument("notebook")
    grade.add_argument("--epochs", type=int, default=None,
                       help="training epochs (default: 250 with a GPU, the reduced CPU mode without)")
    grade.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                       help="where TensorFlow trains (default: a GPU when nvidia-smi lists one)")
    grade.add_argument("--isolation", choices=("unshare+ro", "unshare", "rlimits"), default=None,
                       help="force a weaker sandbox (default: the strongest this machine allows)")
    grade.add_argument("--json", default=None, metavar="FILE", help="also write the Results as JSON")
    build = sub.add_parser("build", help="build the student notebook from the source")
    build.add_argument("paths", nargs="+", metavar="[SRC] DST")
    args = parser.parse_args(argv)

    if args.command == "build":
        src, dst = (SOURCE, args.paths[0]) if len(args.paths) == 1 else args.paths[:2]
        try:
            print(build_student_notebook(src, dst))
        except BuildError as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0

    results, _ = grade_lab_with_run(args.notebook, epochs=args.epochs, device=args.device,
                                    isolation=args.isolation)
    for test in results.tests:
        mark = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}.get(test.status, test.status.upper())
        print(f"{mark:5} {test.score:g}/{test.max_score:g}  {test.name}")
        if test.feedback is not None:
            print("      " + test.feedback.render().replace("\n", "\n      "))
    for error in results.errors:
        print(f"note: {error}")
    print(f"score {results.score:g}/{results.max_score:g}  ({results.target}, isolation: {results.isolation}, "
          f"{results.execution_time:.1f} s)")
    if args.json:
        Path(args.json).write_text(results.to_json(), encoding="utf-8")
    unreadable = results.tests and all(t.status == "error" for t in results.tests) and results.errors
    return 1 if unreadable else 0


if __name__ == "__main__":
    sys.exit(main())
