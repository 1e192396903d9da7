"""Compile the grader once where it runs, so that no grading compiles it again.

A fresh ``autograder grade`` under ``PYTHONDONTWRITEBYTECODE=1`` (CI, Gradescope's
``run_autograder``) used to compile about 50 engine modules and have pytest rewrite every test file
on each run, since nothing it compiles is ever written back. Run this once where the grader is
installed (Gradescope's ``setup.sh`` does, when the image is built)::

    python -m autograder.build.bytecode [ROOT]

It compiles the engine, the test suites and the reference solutions of ``ROOT`` (default: this
checkout) with :mod:`compileall`, as checked-hash pycs (valid exactly while the source is
unchanged, whatever the files' times say), parses the engine's TOML files ahead the same way
(:mod:`autograder.toml_cache`), then has pytest collect the tests once with bytecode writing on,
which leaves pytest's own rewritten test modules in their ``__pycache__`` (pytest reads them
whenever the source's hash matches, even under ``PYTHONDONTWRITEBYTECODE``). Later runs read all
of them and write nothing; a file changed afterwards is compiled or parsed again in memory, as
before, never trusted stale.

Release zips carry no ``.pyc`` (they stay byte-reproducible and the leak check reads only
sources): the caches are made in the place the grader will run from.
"""

from __future__ import annotations

import compileall
import os
import py_compile
import subprocess
import sys
from pathlib import Path

from .. import toml_cache

#: What a grading run imports from the course root: the engine and the test suites (and the
#: reference package, :func:`trees`).
TREES = ("autograder", "tests/public", "tests/hidden", "tests/misconceptions")


def trees() -> tuple[str, ...]:
    """:data:`TREES` and the course's reference package, which the grader imports to tell a
    failing test's misconception (:mod:`autograder.diagnosis` replays its calls on it)."""
    from ..course import load_course

    return (*TREES, load_course().reference_package.replace(".", "/"))


def precompile(root: Path) -> list[str]:
    """Write the bytecode caches of ``root``'s engine, tests and reference solutions; returns the
    problems (none: all written). Never raises for a tree it cannot compile: grading still
    works, only slower."""
    problems = []
    for tree in trees():
        folder = root / tree
        if folder.is_dir() and not compileall.compile_dir(
                folder, quiet=1, workers=1,
                invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH):
            problems.append(f"{tree}: some files did not compile")
    for manifest in sorted((root / "autograder").glob("*.toml")):
        try:
            toml_cache.precompile(manifest)
        except (OSError, ValueError) as exc:   # tomllib's errors are ValueErrors
            problems.append(f"{manifest.relative_to(root)}: not parsed ahead: {exc}")
    from ..grading import default_test_dirs
    from ..session import pytest_args

    tests = default_test_dirs(root)
    if tests:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
        proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only",
                               *pytest_args(tests, isolate=True)],
                              cwd=root, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            problems.append("pytest could not collect the tests: "
                            + (proc.stdout + proc.stderr).strip()[-300:])
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]).resolve() if args else Path(__file__).resolve().parents[2]
    problems = precompile(root)
    for problem in problems:
        print(f"autograder.build.bytecode: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
