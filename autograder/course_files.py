"""Every file and line of an exercise, from the manifest: ``autograder course show|check``.

``show(ID)`` lists where one exercise lives: its manifest block, stub and solution functions,
tests (each test function, found by collecting the named files with pytest and reading their
``exercise`` marker), ground-truth derivations and cases, known mistakes and correct variants.

``check()`` proves the manifest and the disk agree, both ways: everything the manifest names
exists (a function is defined, a catalogue file declares its id, a derivation is registered and
has cases), and nothing on disk is unnamed (a public function of a stub, a test file, a test
without an exercise or in a file its exercise does not name, a derivation, a known mistake, a
correct variant). It returns the problems as sentences; none means the course is in step.

Collecting tests runs pytest in a child process with this module as a plugin: the collection
imports the test modules, which must not leave their state in the caller.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .course import Course, Exercise, load_course

ROOT = Path(__file__).resolve().parents[1]
_COLLECT_OUT = "AUTOGRADER_COURSE_COLLECT"     # where the plugin below writes what it collected


@dataclass(frozen=True)
class Place:
    """One line of one file, and what is there."""
    role: str
    path: str
    line: int
    what: str

    def render(self, width: int = 0) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"  {self.role:13} {where:{width}}  {self.what}"


# --- pytest plugin: record each collected test's file, line and exercise -------------------------

def pytest_collection_modifyitems(session, config, items) -> None:
    out = os.environ.get(_COLLECT_OUT)
    if not out:
        return
    rows = []
    for item in items:
        marker = item.get_closest_marker("exercise")
        path, line, _ = item.location
        rows.append({"file": Path(path).as_posix(), "line": (line or 0) + 1, "name": item.name,
                     "exercise": marker.args[0] if marker and marker.args else None})
    Path(out).write_text(json.dumps(rows), encoding="utf-8")


def collect_tests(files: list[str], root: Path = ROOT) -> list[dict]:
    """The tests of ``files`` as pytest collects them: file, line, name and exercise marker."""
    existing = [f for f in files if (root / f).is_file()]
    if not existing:
        return []
    with tempfile.TemporaryDirectory(prefix="course-collect-") as tmp:
        out = Path(tmp) / "items.json"
        env = {**os.environ, _COLLECT_OUT: str(out), "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-qq", "-p", "no:cacheprovider",
             "-p", "autograder.course_files", *existing],
            cwd=root, env=env, capture_output=True, text=True, timeout=300)
        if not out.exists():
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            raise RuntimeError("collecting the tests failed: " + " | ".join(tail))
        return json.loads(out.read_text(encoding="utf-8"))


# --- reading the disk ------------------------------------------------------------------------------

def defined_functions(path: Path) -> dict[str, int]:
    """Top-level functions of a Python file: name -> line."""
    if not path.is_file():
        return {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name: n.lineno for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def manifest_lines(path: Path) -> dict[str, int]:
    """The line of course.toml where each exercise's block starts."""
    lines: dict[str, int] = {}
    text = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(text):
        if line.strip() == "[[exercise]]":
            for j in range(i + 1, min(i + 6, len(text))):
                m = re.match(r'\s*id\s*=\s*"([^"]+)"', text[j])
                if m:
                    lines[m.group(1)] = i + 1
                    break
    return lines


def _declared(path: Path, name: str) -> str | None:
    m = re.search(rf'^{name}\s*=\s*"([^"]*)"', path.read_text(encoding="utf-8"), re.M)
    return m.group(1) if m else None


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _derivations() -> dict:
    from .ground_truth.registry import _all
    return _all()


def _cases() -> tuple[list[tuple[str, dict]], list[int]]:
    from .ground_truth import cases
    return cases.CASES, cases.CASE_LINES


# --- show ------------------------------------------------------------------------------------------

def places(exercise_id: str, course: Course | None = None, root: Path = ROOT,
           manifest: Path | None = None) -> list[Place]:
    """Every file and line of one exercise."""
    import inspect

    course = course or load_course()
    ex = course.exercise(exercise_id)
    manifest = manifest or root / "autograder" / "course.toml"
    found = [Place("manifest", _rel(manifest, root), manifest_lines(manifest).get(ex.id, 0),
                   f"[[exercise]] {ex.id}: {ex.title} ({ex.kind})")]
    if ex.kind == "notebook":
        found.append(Place("notebook", ex.notebook, 0, "the lab's source, with solution markers"))
    if ex.kind == "written":
        from .written import QUESTIONS_FILE, module_questions

        found.append(Place("questions", ex.file, 0, "graded by hand (the student's answer sheet)"))
        guide = root / "autograder" / QUESTIONS_FILE.name
        if module_questions(guide)[0] == ex.id:
            found.append(Place("guide", _rel(guide, root), 0,
                               "points, prompts and the marking guide (never shipped)"))
    if ex.has_module:
        for role, package in (("stub", course.student_package), ("solution", course.reference_package)):
            path = root / package / f"{ex.module}.py"
            lines = defined_functions(path)
            for fn in ex.functions:
                found.append(Place(role, _rel(path, root), lines.get(fn, 0),
                                   f"def {fn}" if fn in lines else f"{fn} MISSING"))
    for item in collect_tests(list(ex.test_files), root):
        if item["exercise"] == ex.id:
            role = "public test" if item["file"] in ex.public_tests else "hidden test"
            found.append(Place(role, item["file"], item["line"], item["name"]))
    derivations = _derivations()
    all_cases, lines = _cases()
    for name in ex.ground_truth:
        func = derivations.get(name)
        if func is not None:
            src = Path(inspect.getsourcefile(func))
            found.append(Place("derivation", _rel(src, root), inspect.getsourcelines(func)[1], name))
        for i, (case_name, params) in enumerate(all_cases):
            if case_name == name and ex.owns_case(name, params):
                text = ", ".join(f"{k}={v}" for k, v in params.items())
                where = lines[i] if i < len(lines) else 0
                path = "autograder/ground_truth/cases.py" if where else "autograder/variants.toml"
                found.append(Place("case", path, where, text if len(text) <= 90 else text[:87] + "..."))
    catalogue = root / course.catalogue
    for m in ex.misconceptions:
        path = catalogue / f"{m.catalogue_stem}.py"
        if ex.has_module:
            found.append(Place("mistake", _rel(path, root), 1 if path.is_file() else 0,
                               m.id if path.is_file() else f"{m.id} (no wrong implementation)"))
        else:
            found.append(Place("mistake", _rel(manifest, root), 0, m.id))
    for name in ex.correct_variants:
        path = root / course.correct_variants / f"{name}.py"
        found.append(Place("correct", _rel(path, root), 1 if path.is_file() else 0, name))
    return found


def show(exercise_id: str, course: Course | None = None, root: Path = ROOT) -> str:
    found = places(exercise_id, course, root)
    width = max(len(f"{p.path}:{p.line}") for p in found)
    return "\n".join(p.render(width) for p in found)


# --- check -----------------------------------------------------------------------------------------

def _check_exercise(ex: Exercise, course: Course, root: Path, derivations: dict,
                    case_names: set[str]) -> list[str]:
    problems = []
    if ex.has_module:
        for package in (course.student_package, course.reference_package):
            path = root / package / f"{ex.module}.py"
            if not path.is_file():
                problems.append(f"{ex.id}: {package}/{ex.module}.py does not exist")
                continue
            missing = [fn for fn in ex.functions if fn not in defined_functions(path)]
            if missing:
                problems.append(f"{ex.id}: {package}/{ex.module}.py defines no {', '.join(missing)}")
        if not ex.public_tests:
            problems.append(f"{ex.id}: names no public test file")
    for attr in ("notebook", "file"):
        value = getattr(ex, attr)
        if value and not (root / value).is_file():
            problems.append(f"{ex.id}: its {attr} {value} does not exist")
    if ex.kind == "written" and not ex.file:
        problems.append(f"{ex.id}: a written exercise names its questions' file")
    for f in ex.test_files:
        if not (root / f).is_file():
            problems.append(f"{ex.id}: test file {f} does not exist")
    for name in ex.ground_truth:
        if name not in derivations:
            problems.append(f"{ex.id}: ground truth {name!r} is not a registered derivation")
        elif name not in case_names:
            problems.append(f"{ex.id}: ground truth {name!r} has no case in cases.py")
    for m in ex.misconceptions:
        if not ex.has_module:
            continue    # a notebook's known mistakes are notebooks, graded in tests/lab
        path = root / course.catalogue / f"{m.catalogue_stem}.py"
        if not path.is_file():
            problems.append(f"{ex.id}: misconception {m.id} has no wrong implementation "
                            f"{_rel(path, root)}")
        elif _declared(path, "MISCONCEPTION") != m.id:
            problems.append(f"{_rel(path, root)}: declares MISCONCEPTION = "
                            f"{_declared(path, 'MISCONCEPTION')!r}, not {m.id!r}")
        elif _declared(path, "MODULE") != ex.module:
            problems.append(f"{_rel(path, root)}: MODULE is not {ex.id}'s module {ex.module!r}")
    for name in ex.correct_variants:
        path = root / course.correct_variants / f"{name}.py"
        if not path.is_file():
            problems.append(f"{ex.id}: correct variant {_rel(path, root)} does not exist")
        elif _declared(path, "MODULE") != ex.module:
            problems.append(f"{_rel(path, root)}: MODULE is not {ex.id}'s module {ex.module!r}")
    return problems


def _check_unnamed(course: Course, root: Path, derivations: dict, case_names: set[str]) -> list[str]:
    problems = []
    by_module: dict[str, set[str]] = {}
    for ex in course.exercises:
        if ex.has_module:
            by_module.setdefault(ex.module, set()).update(ex.functions)
    for package in (course.student_package, course.reference_package):
        for path in sorted((root / package).glob("*.py")):
            if path.stem == "__init__":
                continue
            if path.stem not in by_module:
                problems.append(f"{package}/{path.name} belongs to no exercise")
                continue
            extra = sorted(fn for fn in defined_functions(path)
                           if not fn.startswith("_") and fn not in by_module[path.stem])
            if extra:
                problems.append(f"{package}/{path.name}: {', '.join(extra)} belong to no exercise")
    named_tests = {f for ex in course.exercises for f in ex.test_files} | set(course.test_helpers)
    for suite in ("tests/public", "tests/hidden"):
        for path in sorted((root / suite).glob("*.py")):
            rel = _rel(path, root)
            if rel not in named_tests:
                problems.append(f"{rel} is named by no exercise (nor as a test helper)")
    named_mistakes = {m.catalogue_stem for m in course.misconceptions.values()}
    for path in sorted((root / course.catalogue).glob("*.py")):
        if not path.name.startswith("_") and path.stem not in named_mistakes:
            problems.append(f"{_rel(path, root)} is no misconception of the manifest")
    named_variants = {v for ex in course.exercises for v in ex.correct_variants}
    for path in sorted((root / course.correct_variants).glob("*.py")):
        if path.stem not in named_variants:
            problems.append(f"{_rel(path, root)} is named by no exercise's correct_variants")
    named_gt = set(course.ground_truth) | {g for ex in course.exercises for g in ex.ground_truth}
    for name in sorted(set(derivations) - named_gt):
        problems.append(f"derivation {name!r} is named by no exercise (nor the course's ground_truth)")
    for name in sorted(case_names - set(derivations)):
        problems.append(f"cases.py has cases of {name!r}, which is no registered derivation")
    all_cases, lines = _cases()
    for i, (name, params) in enumerate(all_cases):
        if name not in course.ground_truth and not any(ex.owns_case(name, params) for ex in course.exercises):
            where = f"cases.py:{lines[i]}" if i < len(lines) else "a generated case"
            problems.append(f"{where}: this case of {name!r} belongs to no exercise")
    return problems


def _check_tests(course: Course, root: Path) -> list[str]:
    """Each collected test grades an exercise that names its file; each named file has one."""
    problems = []
    files = sorted({f for ex in course.exercises for f in ex.test_files})
    seen: set[tuple[str, str]] = set()
    ids = {ex.id for ex in course.exercises}
    for item in collect_tests(files, root):
        where = f"{item['file']}:{item['line']} {item['name']}"
        if item["exercise"] is None:
            problems.append(f"{where} has no @pytest.mark.exercise: it is never graded")
            continue
        if item["exercise"] not in ids:
            problems.append(f"{where} grades {item['exercise']!r}, no exercise of the manifest")
            continue
        seen.add((item["exercise"], item["file"]))
        if item["file"] not in course.exercise(item["exercise"]).test_files:
            problems.append(f"{where} grades {item['exercise']}, whose test files do not name "
                            f"{item['file']}")
    for ex in course.exercises:
        for f in ex.test_files:
            if (root / f).is_file() and (ex.id, f) not in seen:
                problems.append(f"{ex.id}: names {f}, which holds none of its tests")
    return problems


def check(course: Course | None = None, root: Path = ROOT, *, tests: bool = True) -> list[str]:
    """Every way the manifest and the disk disagree, as sentences (none: they agree)."""
    course = course or load_course()
    derivations = _derivations()
    case_names = {name for name, _ in _cases()[0]}
    problems = []
    for ex in course.exercises:
        problems += _check_exercise(ex, course, root, derivations, case_names)
    problems += _check_unnamed(course, root, derivations, case_names)
    if tests:
        problems += _check_tests(course, root)
    return problems


# --- command line: autograder course show ID | check ---------------------------------------------

def add_course_parser(commands) -> None:
    course = commands.add_parser(
        "course", help="show or check the course manifest (instructors)",
        description="Every file of an exercise, and whether autograder/course.toml and the disk agree.")
    actions = course.add_subparsers(dest="course_command", required=True, metavar="ACTION")
    show_parser = actions.add_parser("show", help="print every file and line of one exercise")
    show_parser.add_argument("exercise", metavar="ID", help="an exercise id of course.toml")
    show_parser.set_defaults(func=_show_command)
    check_parser = actions.add_parser(
        "check", help="verify that everything the manifest names exists and nothing is unnamed")
    check_parser.set_defaults(func=_check_command)


def _show_command(args) -> int:
    from .usage import UsageError

    course = load_course()
    if args.exercise not in {ex.id for ex in course.exercises}:
        raise UsageError(f"no exercise {args.exercise!r}; course.toml lists "
                         f"{', '.join(ex.id for ex in course.exercises)}")
    print(show(args.exercise, course))
    return 0


def _check_command(args) -> int:
    problems = check()
    for problem in problems:
        print(problem)
    course = load_course()
    if problems:
        print(f"{len(problems)} problem(s): course.toml and the disk disagree", file=sys.stderr)
        return 1
    print(f"course.toml and the disk agree: {len(course.exercises)} exercises, "
          f"{len(course.misconceptions)} misconceptions")
    return 0
