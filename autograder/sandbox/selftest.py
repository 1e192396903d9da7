"""``python -m autograder.sandbox.selftest``: can this machine start a grading worker, and how?

Gradescope's ``setup.sh`` ends with it, run as ``run_autograder`` will grade (same user, same
working directory, same environment), so an image in which no isolation level can start fails its
build with the reason and the fix, rather than grading a class into "not graded" later. It starts
one worker at the strongest level the machine allows, asks it for a value of a one-line
submission, and prints the level; a weaker level than bubblewrap is said with why the stronger
ones were refused. Exit code 0: a worker started; 1: none could.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from . import isolation
from .proxy import SandboxUnavailable, sandbox_target

PROBE = "ANSWER = 42\n"


def check() -> str:
    """The description of the level a worker started at; raises SandboxUnavailable if none."""
    with tempfile.TemporaryDirectory(prefix="autograder-selftest-") as tmp:
        submission = Path(tmp) / "submission"
        submission.mkdir()
        (submission / "selftest_probe.py").write_text(PROBE, encoding="utf-8")
        target = sandbox_target(submission, limits=isolation.Limits.from_env())
        try:
            answer = target.selftest_probe.ANSWER
            if answer != 42:
                raise SandboxUnavailable(f"the worker answered {answer!r} instead of 42",
                                         "this is a bug of the autograder: report it")
            return target.isolation
        finally:
            target.close()


def main(argv: list[str] | None = None) -> int:
    try:
        level = check()
    except SandboxUnavailable as exc:
        print(f"sandbox self-test FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"sandbox self-test: a grading worker started at level {level}")
    for refused, why in sorted(isolation.FAILED_LEVELS.items()):
        print(f"  (stronger level {refused} refused: {why})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
