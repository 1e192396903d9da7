"""Read the course manifest (``course.toml``): the single list of exercises and misconceptions."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

MANIFEST = Path(__file__).with_name("course.toml")


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    module: str
    functions: tuple[str, ...]
    hint: str
    notebook: str = ""    # set for a notebook exercise (the Keras lab): graded by autograder.lab

    @property
    def is_notebook(self) -> bool:
        return bool(self.notebook)


@dataclass(frozen=True)
class Misconception:
    id: str
    exercise: str
    message: str


@dataclass(frozen=True)
class Course:
    name: str
    student_package: str
    reference_package: str
    exercises: tuple[Exercise, ...]
    misconceptions: dict[str, Misconception] = field(default_factory=dict)

    def exercise(self, exercise_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise KeyError(f"unknown exercise {exercise_id!r}; course.toml lists "
                       f"{[e.id for e in self.exercises]}")

    @property
    def modules(self) -> tuple[str, ...]:
        """The Python modules of assignments/ and solutions/ (a notebook exercise has none)."""
        return tuple(dict.fromkeys(ex.module for ex in self.exercises if not ex.is_notebook))


@lru_cache(maxsize=None)
def load_course(path: Path = MANIFEST) -> Course:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    exercises = tuple(
        Exercise(e["id"], e["title"], e["module"], tuple(e["functions"]), e.get("hint", ""),
                 e.get("notebook", ""))
        for e in data.get("exercise", [])
    )
    misconceptions = {
        m["id"]: Misconception(m["id"], m["exercise"], m["message"])
        for m in data.get("misconception", [])
    }
    meta = data["course"]
    course = Course(meta["name"], meta["student_package"], meta["reference_package"],
                    exercises, misconceptions)
    ids = [e.id for e in exercises]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate exercise ids")
    for m in misconceptions.values():
        course.exercise(m.exercise)
    return course
