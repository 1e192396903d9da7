"""``python -m autograder.lab grade NOTEBOOK [--epochs N] [--json FILE]`` and ``build [SRC] DST``.

``grade`` runs the lab's tests alone (``tests/hidden/test_keras_lab.py``) through the same
session and sandbox as ``autograder grade``. Exit status: 0 when the notebook was graded
(whatever the score), 1 when it could not be graded, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import SOURCE, BuildError, build_student_notebook

LAB_TESTS = Path(__file__).resolve().parents[2] / "tests" / "hidden" / "test_keras_lab.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.lab")
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade a lab notebook (its tests alone)")
    grade.add_argument("notebook")
    grade.add_argument("--epochs", type=int, default=None,
                       help="training epochs (default: 250 with a GPU, the reduced CPU mode without)")
    grade.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                       help="cpu hides any GPU from TensorFlow (default: a GPU when one is visible)")
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

    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if not Path(args.notebook).is_file():
        print(f"error: no notebook at {args.notebook!r}", file=sys.stderr)
        return 2
    if args.device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    from ..grading import grade as grade_submission

    results = grade_submission(args.notebook, tests=[LAB_TESTS], lab_epochs=args.epochs)
    from ..reporters._common import lab_line

    for test in results.tests:
        mark = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "manual": "HAND"}.get(
            test.status, test.status.upper())
        points = (f"{test.manual_points:g} by hand" if test.status == "manual"
                  else f"{test.score:g}/{test.max_score:g}")
        print(f"{mark:5} {points}  {test.name}")
        if test.feedback is not None:
            print("      " + test.feedback.render().replace("\n", "\n      "))
    print(f"score {results.score:g}/{results.max_score:g}  (isolation: {results.isolation}, "
          f"{results.execution_time:.1f} s)")
    if results.manual:
        print(f"written questions graded by hand: {len(results.manual)}, "
              f"{sum(t.manual_points for t in results.manual):g} points (not in the score)")
    if lab_line(results):
        print(lab_line(results))
    if args.json:
        Path(args.json).write_text(results.to_json(), encoding="utf-8")
    return 0 if results.tests else 1


if __name__ == "__main__":
    sys.exit(main())
