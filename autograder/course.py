"""Read the course manifest (``course.toml``): every exercise and every file it is made of.

One ``[[exercise]]`` block names an exercise's stub and solution functions, its public and hidden
test files, the ground-truth derivations its tests read, its correct variants and, nested under
it, its known mistakes keyed by the one id used everywhere (the catalogue file's name, the
``misconception`` of a feedback, the key here). :mod:`autograder.course_files` shows and checks
the files; everything else asks this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import toml_cache

MANIFEST = Path(__file__).with_name("course.toml")

#: What an exercise can be: functions in a module, a notebook (the Keras lab), or written answers
#: graded by hand (no tests: the manifest names the file of questions).
KINDS = ("module", "notebook", "written")


@dataclass(frozen=True)
class Misconception:
    id: str
    exercise: str
    message: str

    @property
    def catalogue_stem(self) -> str:
        """The file name (without .py) of its wrong implementation in the catalogue."""
        return self.id.replace("-", "_")


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    module: str
    functions: tuple[str, ...]
    hint: str
    notebook: str = ""    # set for a notebook exercise (the Keras lab): graded by autograder.lab
    kind: str = "module"
    file: str = ""        # a written exercise's questions
    public_tests: tuple[str, ...] = ()
    hidden_tests: tuple[str, ...] = ()
    ground_truth: tuple[str, ...] = ()       # derivation names
    correct_variants: tuple[str, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    # derivation -> {parameter: value}: only the cases with these parameters are this exercise's
    ground_truth_where: dict[str, dict] = field(default_factory=dict, hash=False, compare=False)

    def owns_case(self, derivation: str, params: dict) -> bool:
        """Whether a case of cases.py belongs to this exercise."""
        where = self.ground_truth_where.get(derivation, {})
        return derivation in self.ground_truth and all(params.get(k) == v for k, v in where.items())

    @property
    def is_notebook(self) -> bool:
        return self.kind == "notebook"

    @property
    def has_module(self) -> bool:
        """Whether assignments/ and solutions/ hold this exercise's functions."""
        return self.kind == "module"

    @property
    def test_files(self) -> tuple[str, ...]:
        return self.public_tests + self.hidden_tests


@dataclass(frozen=True)
class Course:
    name: str
    student_package: str
    reference_package: str
    exercises: tuple[Exercise, ...]
    misconceptions: dict[str, Misconception] = field(default_factory=dict)
    catalogue: str = "tests/misconceptions"
    correct_variants: str = "tests/misconceptions/correct"
    test_helpers: tuple[str, ...] = ()
    ground_truth: tuple[str, ...] = ()    # derivations shared by the whole course

    def exercise(self, exercise_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise KeyError(f"unknown exercise {exercise_id!r}; course.toml lists "
                       f"{[e.id for e in self.exercises]}")

    @property
    def modules(self) -> tuple[str, ...]:
        """The Python modules of assignments/ and solutions/ (a notebook exercise has none)."""
        return tuple(dict.fromkeys(ex.module for ex in self.exercises if ex.has_module))


def _exercise(e: dict, path: Path) -> Exercise:
    eid = e["id"]
    kind = e.get("kind", "module")
    if kind not in KINDS:
        raise ValueError(f"{path}: exercise {eid!r} has kind {kind!r}; expected one of {KINDS}")
    names, where = [], {}
    for ref in e.get("ground_truth", ()):
        if isinstance(ref, str):
            names.append(ref)
        else:
            ref = dict(ref)
            names.append(ref.pop("derivation"))
            where[names[-1]] = ref
    mistakes = tuple(Misconception(mid, eid, message if isinstance(message, str) else message["message"])
                     for mid, message in e.get("misconceptions", {}).items())
    return Exercise(
        eid, e["title"], e.get("module", ""), tuple(e.get("functions", ())), e.get("hint", ""),
        notebook=e.get("notebook", ""), kind=kind, file=e.get("file", ""),
        public_tests=tuple(e.get("public_tests", ())), hidden_tests=tuple(e.get("hidden_tests", ())),
        ground_truth=tuple(names), ground_truth_where=where,
        correct_variants=tuple(e.get("correct_variants", ())), misconceptions=mistakes)


@lru_cache(maxsize=None)
def load_course(path: Path = MANIFEST) -> Course:
    data = toml_cache.load(path)
    exercises = tuple(_exercise(e, Path(path)) for e in data.get("exercise", []))
    ids = [e.id for e in exercises]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate exercise ids")
    misconceptions: dict[str, Misconception] = {}
    for ex in exercises:
        for m in ex.misconceptions:
            if m.id in misconceptions:
                raise ValueError(f"{path}: misconception {m.id!r} is listed under two exercises")
            misconceptions[m.id] = m
    meta = data["course"]
    return Course(meta["name"], meta["student_package"], meta["reference_package"],
                  exercises, misconceptions,
                  catalogue=meta.get("catalogue", "tests/misconceptions"),
                  correct_variants=meta.get("correct_variants", "tests/misconceptions/correct"),
                  test_helpers=tuple(meta.get("test_helpers", ())),
                  ground_truth=tuple(meta.get("ground_truth", ())))
