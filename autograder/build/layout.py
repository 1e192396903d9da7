"""Which files of the course checkout go into which artifact: explicit allowlists.

A student receives only what is listed here (nothing is shipped because it was *not* excluded):

* the stubs, generated from ``solutions/`` (never read from disk, so they cannot drift);
* every file under ``tests/public/``;
* the engine modules the public tests need: the import closure of the pytest plugin and of the
  public tests' own ``autograder`` imports, plus the modules named in :data:`STUDENT_ENGINE_ROOTS`
  (the reporters, for the job summary; the sandbox, so a student can run the exact isolation the
  grader uses with ``--target=sandbox:assignments``: its code is no secret, its strength does not
  rest on students not reading it), the progress view (``autograder progress`` / ``watch``),
  and ``course.toml``;
* files generated from ``templates/student`` (README, pyproject, conftest, CI workflow).

The leak check (:mod:`autograder.build.leaks`) is a second, independent line: it does not trust
this list and inspects the bytes that would be shipped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ENGINE = "autograder"

#: Engine modules shipped to students even when no public test imports them.
STUDENT_ENGINE_ROOTS = (
    "autograder.pytest_plugin",   # the conftest loads it
    "autograder.checks",
    "autograder.reporters",       # rendering the points in the CI job summary
    "autograder.sandbox",         # optional: the same isolation the grader uses
    "autograder.build.summary",   # the job-summary script the classroom workflow runs
    "autograder.build.classroom",  # the points it reports to GitHub Classroom's grading view
    "autograder.progress",        # `autograder progress` / `watch`: exercises done, what is next
    "autograder.build.student_cli",  # the student release's `autograder` command
)
#: Data files of the engine the shipped modules read.
# variants.toml: a student's public tests show their variant, the default one without variant.json
STUDENT_ENGINE_DATA = ("autograder/course.toml", "autograder/variants.toml")
#: Never part of the student closure, whatever imports them: the build stops if one is reached.
STUDENT_FORBIDDEN_PACKAGES = ("autograder.ground_truth",)

#: The Gradescope autograder: the whole engine, every test suite but the engine's own, no
#: solutions (grading never runs them) and no stubs.
AUTOGRADER_TREES = ("autograder", "tests/public", "tests/hidden", "tests/misconceptions")
AUTOGRADER_FILES = ("conftest.py", "pyproject.toml", "README.md")

SKIPPED_NAMES = ("__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".DS_Store")


def _skipped(path: Path) -> bool:
    return any(part in SKIPPED_NAMES or part.endswith(".egg-info") for part in path.parts) \
        or path.suffix in (".pyc", ".pyo")


def tree_files(root: Path, tree: str) -> list[str]:
    """Every regular file under ``root/tree`` as sorted POSIX paths relative to ``root``."""
    base = root / tree
    if not base.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in base.rglob("*")
                  if p.is_file() and not p.is_symlink() and not _skipped(p.relative_to(root)))


@dataclass
class Closure:
    files: list[str]
    reached_from: dict[str, str]   # module file -> the file whose import brought it in


def module_file(root: Path, dotted: str) -> str | None:
    """``autograder.checks`` -> ``autograder/checks.py`` (or the package's ``__init__.py``)."""
    base = root.joinpath(*dotted.split("."))
    if (base / "__init__.py").is_file():
        return (base / "__init__.py").relative_to(root).as_posix()
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py").relative_to(root).as_posix()
    return None


def imported_modules(source: str, path: str) -> set[str]:
    """Every ``autograder`` module a file imports, anywhere in it (lazy imports too)."""
    # For "a/b/__init__.py" and "a/b/c.py" alike, relative imports start from the package a.b.
    package = path[:-3].split("/")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package[:len(package) - (node.level - 1)]
                prefix = ".".join(anchor + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names = [prefix] + [f"{prefix}.{a.name}" for a in node.names if a.name != "*"]
        else:
            continue
        for name in names:
            if name == ENGINE or name.startswith(ENGINE + "."):
                found.add(name)
    return found


def student_engine_closure(root: Path, extra_sources: list[str]) -> Closure:
    """The engine files students need: the import closure of the roots and of ``extra_sources``.

    ``extra_sources`` are files (the public tests) whose ``autograder`` imports are roots too.
    """
    reached: dict[str, str] = {}
    queue: list[tuple[str, str]] = []
    for dotted in STUDENT_ENGINE_ROOTS:
        queue.append((dotted, "layout.STUDENT_ENGINE_ROOTS"))
    for src in extra_sources:
        text = (root / src).read_text(encoding="utf-8")
        queue.extend((m, src) for m in sorted(imported_modules(text, src)))
    while queue:
        dotted, why = queue.pop(0)
        parts = dotted.split(".")
        # A module's parent packages are imported first, so they ship too.
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            file = module_file(root, name)
            if file is None or file in reached:
                continue
            reached[file] = why
            text = (root / file).read_text(encoding="utf-8")
            queue.extend((m, file) for m in sorted(imported_modules(text, file)))
            if file.endswith("__init__.py") and name == dotted and name in STUDENT_ENGINE_ROOTS:
                # A package named as a root ships whole (its modules may be loaded by name).
                for sub in sorted((root / file).parent.glob("*.py")):
                    queue.append((f"{name}.{sub.stem}", file))
    return Closure(sorted(reached), reached)
