"""The one results tree every report is rendered from (exercism's runner keeps the same shape).

A grading run produces :class:`Results`; reporters are pure functions of it. It round-trips
through JSON so a worker, a gradebook or a later ``autograder report`` can read it back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

from .feedback import Feedback

#: "manual": a written question, graded by hand (:mod:`autograder.written`): score and max_score
#: are 0 and ``manual_points`` holds its points.
Status = Literal["passed", "failed", "error", "skipped", "manual"]
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]


@dataclass
class TestResult:
    nodeid: str
    name: str
    exercise: str
    suite: str                    # "public" or "hidden"
    status: Status
    max_score: float
    score: float
    visibility: Visibility = "visible"
    feedback: Feedback | None = None
    output: str = ""              # what the test itself printed (never the submission's stdout)
    duration: float = 0.0
    test_code: str = ""           # the test's body, for formats that show it (exercism)
    manual_points: float = 0.0    # a "manual" item's points, graded by hand (not in score/max_score)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["feedback"] = self.feedback.to_dict() if self.feedback else None
        if self.status != "manual":
            del data["manual_points"]     # only a written question has points graded by hand
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "TestResult":
        data = dict(data)
        fb = data.get("feedback")
        data["feedback"] = Feedback(**fb) if fb else None
        return cls(**data)


@dataclass(frozen=True)
class Exercise:
    """What a report says of an exercise: its id, title and the hint shown when it fails."""
    id: str
    title: str
    hint: str = ""


@dataclass
class Results:
    tests: list[TestResult] = field(default_factory=list)
    target: str = ""
    isolation: str = "none"       # how the submission was isolated ("bubblewrap", "unshare", ...)
    execution_time: float = 0.0
    errors: list[str] = field(default_factory=list)   # problems that stopped grading a part
    #: Set when the grading machine, not the submission, failed (see :mod:`autograder.infrastructure`):
    #: the submission was not graded, so no test is kept and no score is reported.
    infrastructure_error: str | None = None
    #: The Keras lab's run, when its tests ran: {"device": "CPU" or "GPU", "epochs": n}; its wall
    #: time is the sum of its tests' durations (:func:`lab_wall_time`).
    lab: dict | None = None
    #: The course's name and its exercises in teaching order, as the scorer found them in the
    #: manifest: reporters take titles, order and hints from here, never from course.toml.
    course: str = ""
    exercises: list[Exercise] = field(default_factory=list)

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise ``exercise_id`` (its id as its title when the course does not name it)."""
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        return Exercise(exercise_id, exercise_id)

    @property
    def graded(self) -> bool:
        """Did grading run to its end? (A submission's own problems still leave it graded at 0.)"""
        return not self.errors and self.infrastructure_error is None

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    @property
    def manual(self) -> list[TestResult]:
        """The written questions, graded by hand: their points are in none of the totals."""
        return [t for t in self.tests if t.status == "manual"]

    def by_exercise(self) -> dict[str, list[TestResult]]:
        groups: dict[str, list[TestResult]] = {}
        for test in self.tests:
            groups.setdefault(test.exercise, []).append(test)
        return groups

    def to_dict(self) -> dict:
        # Not graded by a failure of the machine: no score at all rather than a zero.
        infra = self.infrastructure_error is not None
        return {"target": self.target, "isolation": self.isolation,
                "execution_time": self.execution_time,
                "score": None if infra else self.score,
                "max_score": None if infra else self.max_score, "errors": list(self.errors),
                "infrastructure_error": self.infrastructure_error,
                **({"lab": dict(self.lab)} if self.lab else {}),
                **({"course": self.course} if self.course else {}),
                **({"exercises": [asdict(e) for e in self.exercises]} if self.exercises else {}),
                "tests": [t.to_dict() for t in self.tests]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> "Results":
        return cls(tests=[TestResult.from_dict(t) for t in data.get("tests", [])],
                   target=data.get("target", ""), isolation=data.get("isolation", "none"),
                   execution_time=data.get("execution_time", 0.0),
                   errors=list(data.get("errors", [])),
                   infrastructure_error=data.get("infrastructure_error"), lab=data.get("lab"),
                   course=data.get("course", ""),
                   exercises=[Exercise(**e) for e in data.get("exercises", [])])

    @classmethod
    def not_graded(cls, line: str, *, target: str = "", isolation: str = "none",
                   execution_time: float = 0.0) -> "Results":
        """The results of a grading the machine could not do: the line, and nothing scored."""
        return cls(target=target, isolation=isolation, execution_time=execution_time,
                   infrastructure_error=line)

    def settled(self) -> "Results":
        """These results as reported: a run the machine broke keeps its line and nothing else
        (no test, so no point awarded or withheld); any other run is returned as it is."""
        if self.infrastructure_error is None:
            return self
        return Results.not_graded(self.infrastructure_error, target=self.target,
                                  isolation=self.isolation, execution_time=self.execution_time)
