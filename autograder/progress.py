"""``autograder progress`` and ``autograder watch``: where a student stands, like rustlings.

Both run the public tests against the student's ``assignments/`` and show exercises done out of
the total, in the teaching order of ``course.toml``, with the failure message and hint of the
exercise the student is working on: the one named (``progress EXERCISE``), else the first
unfinished exercise of the module whose file changed last (the file ``watch`` just saw change),
else the first unfinished exercise. ``watch`` re-runs whenever a file in ``assignments/``
changes (``watchfiles``), so a student can keep it open beside the editor.

The tests run in a fresh ``python -m pytest`` process each time: the student's modules change
between runs, and a new process is the only reliable way to import the new code.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


from .course import load_course
from .results import Results, TestResult


@dataclass
class ExerciseProgress:
    id: str
    title: str
    hint: str
    tests: list[TestResult]

    @property
    def done(self) -> bool:
        return bool(self.tests) and all(t.status == "passed" for t in self.tests)

    @property
    def first_failure(self) -> TestResult | None:
        return next((t for t in self.tests if t.status != "passed"), None)


def run_public_tests(root: Path, target: str | None = None, timeout_s: float = 300) -> Results:
    """Run ``tests/public`` under ``root`` in a fresh process and read back its results."""
    target = target or load_course().student_package
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        f"--target={target}", f"--results-json={out}", "tests/public"],
                       cwd=root, capture_output=True, text=True, timeout=timeout_s)
        if not out.exists():
            return Results(errors=["the public tests could not run (is this the course directory?)"])
        return Results.from_dict(json.loads(out.read_text(encoding="utf-8")))


def summarise(results: Results) -> list[ExerciseProgress]:
    groups = results.by_exercise()
    return [ExerciseProgress(ex.id, ex.title, ex.hint, groups.get(ex.id, []))
            for ex in load_course().exercises if ex.id in groups]


def last_changed_module(package: Path) -> str | None:
    """The module of ``package`` whose file changed last, or None when no single one did.

    A fresh release is unzipped with one fixed timestamp on every file (releases are
    reproducible): then no module stands out and the student starts at the first exercise.
    """
    times = {}
    for path in package.glob("*.py"):
        try:
            times[path.stem] = path.stat().st_mtime
        except OSError:
            continue
    if not times:
        return None
    latest = max(times.values())
    newest = [module for module, t in times.items() if t == latest]
    return newest[0] if len(newest) == 1 else None


def focus(exercises: list[ExerciseProgress], *, exercise: str | None = None,
          module: str | None = None) -> ExerciseProgress | None:
    """The exercise to show: ``exercise`` if named, else the first unfinished one of ``module``
    (the file the student is editing), else the first unfinished one."""
    if exercise is not None:
        return next((e for e in exercises if e.id == exercise), None)
    if module is not None:
        modules = {ex.id: ex.module for ex in load_course().exercises}
        found = next((e for e in exercises if not e.done and modules.get(e.id) == module), None)
        if found is not None:
            return found
    return next((e for e in exercises if not e.done), None)


def render(results: Results, *, exercise: str | None = None, module: str | None = None):
    """The progress view as a rich renderable (rich is imported here, not with the module: every
    `autograder` command builds this module's parsers, and rich adds 15 ms to each start)."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    exercises = summarise(results)
    done = sum(e.done for e in exercises)
    total = len(exercises)
    header = Text.assemble(("Progress: ", "bold"), f"{done}/{total} exercises done, ",
                           f"{results.score:g}/{results.max_score:g} points")
    bar = Table.grid(padding=(0, 1))
    bar.add_row(ProgressBar(total=max(total, 1), completed=done, width=50),
                f"{100 * done // max(total, 1)}%")
    grid = Table.grid(padding=(0, 2))
    for _ in range(3):
        grid.add_column()
    cells = [Text(("✓ " if e.done else "✗ ") + e.id, style="green" if e.done else "red")
             for e in exercises]
    for i in range(0, len(cells), 3):
        grid.add_row(*cells[i:i + 3], *[""] * (3 - len(cells[i:i + 3])))
    parts = [header, bar, grid]
    if results.errors:
        parts.append(Text("\n".join(results.errors), style="red"))
    nxt = focus(exercises, exercise=exercise, module=module)
    label = "Next" if exercise is None and module is None else "Working on"
    if nxt is not None and nxt.first_failure is not None:
        failure = nxt.first_failure
        body = failure.feedback.render() if failure.feedback else failure.status
        parts.append(Panel(Text(f"{body}\n\nhint: {nxt.hint}"),
                           title=Text(f"{label}: {nxt.id} ({nxt.title})"), border_style="yellow"))
    elif nxt is not None:
        parts.append(Text(f"{nxt.id} ({nxt.title}): every public test passes.", style="bold green"))
    elif exercises:
        parts.append(Text("Every public test passes. Well done!", style="bold green"))
    return Group(*parts)


def _unknown_exercise(name: str | None) -> str | None:
    """A one-line error when ``name`` is not an exercise of the course, else None."""
    if name is None:
        return None
    ids = [ex.id for ex in load_course().exercises]
    if name in ids:
        return None
    return f"no exercise {name!r} in this course; choose one of: {', '.join(ids)}"


def check_course_root(args: argparse.Namespace) -> None:
    """``--root`` is a course folder: it holds the public tests and the package under test.

    Without this, ``watch`` outside the course folder ends in watchfiles' "No path was found"
    and ``progress --root`` of a missing folder in a subprocess traceback.
    """
    from .usage import UsageError, require_at_least, require_dir, shown

    here = ("run it in your course folder (the one with assignments/ and tests/public/) "
            "or pass --root DIR")
    root = require_dir(args.root, "the course folder", here)
    package = args.target or load_course().student_package
    if not package.isidentifier():
        raise UsageError(f"--target takes the name of a Python package, such as assignments, "
                         f"not {shown(package)}")
    for needed in (Path("tests") / "public", Path(package)):
        if not (root / needed).is_dir():
            raise UsageError(f"{shown(root.resolve())} has no {needed.as_posix()}/ folder, so it "
                             f"is not a course folder: {here}")
    require_at_least(getattr(args, "max_runs", None), 0, "--max-runs")


def progress_command(args: argparse.Namespace) -> int:
    check_course_root(args)
    problem = _unknown_exercise(args.exercise)
    if problem:
        print(f"autograder progress: {problem}", file=sys.stderr)
        return 2
    root = Path(args.root)
    results = run_public_tests(root, args.target)
    from rich.console import Console

    package = root / (args.target or load_course().student_package)
    Console().print(render(results, exercise=args.exercise,
                           module=None if args.exercise else last_changed_module(package)))
    return 0 if not results.errors else 2


def watch_command(args: argparse.Namespace) -> int:
    check_course_root(args)
    from watchfiles import watch

    root = Path(args.root)
    from rich.console import Console
    from rich.text import Text

    problem = _unknown_exercise(args.exercise)
    if problem:
        print(f"autograder watch: {problem}", file=sys.stderr)
        return 2
    console = Console()
    watched = root / load_course().student_package
    runs = 0

    def show(module: str | None) -> None:
        nonlocal runs
        runs += 1
        results = run_public_tests(root, args.target)
        console.clear()
        console.print(render(results, exercise=args.exercise,
                             module=None if args.exercise else module))
        console.print(Text(f"watching {watched} for changes (Ctrl-C to stop)", style="dim"))

    show(last_changed_module(watched))
    try:
        for changes in watch(watched, debounce=300, raise_interrupt=False,
                             watch_filter=lambda _change, path: path.endswith(".py")):
            if args.max_runs and runs >= args.max_runs:
                break
            # The file just saved is the exercise being worked on (the last one, if several).
            show(sorted(Path(path).stem for _change, path in changes)[-1] if changes
                 else last_changed_module(watched))
            if args.max_runs and runs >= args.max_runs:
                break
    except KeyboardInterrupt:
        pass
    return 0


def add_progress_parsers(subparsers) -> None:
    for name, func, help_text in (
            ("progress", progress_command, "show exercises done and the next one to work on"),
            ("watch", watch_command, "re-run the public tests whenever assignments/ changes")):
        p = subparsers.add_parser(name, help=help_text, description=help_text)
        p.add_argument("exercise", nargs="?", default=None, metavar="EXERCISE",
                       help="the exercise to show (default: the one whose file changed last)")
        p.add_argument("--root", default=".", help="the course directory (default: here)")
        p.add_argument("--target", default=None, help="package under test (default: assignments)")
        if name == "watch":
            p.add_argument("--max-runs", type=int, default=0,
                           help="stop after this many runs (0: until Ctrl-C)")
        p.set_defaults(func=func)
