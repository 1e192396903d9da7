"""The one results tree every report is rendered from (exercism's runner keeps the same shape).

A grading run produces :class:`Results`; reporters are pure functions of it. It round-trips
through JSON so a worker, a gradebook or a later ``autograder report`` can read it back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

from .feedback import Feedback

Status = Literal["passed", "failed", "error", "skipped"]
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

    def to_dict(self) -> dict:
        data = asdict(self)
        data["feedback"] = self.feedback.to_dict() if self.feedback else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "TestResult":
        data = dict(data)
        fb = data.get("feedback")
        data["feedback"] = Feedback(**fb) if fb else None
        return cls(**data)


@dataclass
class Results:
    tests: list[TestResult] = field(default_factory=list)
    target: str = ""
    isolation: str = "none"       # how the submission was isolated ("bubblewrap", "unshare", ...)
    execution_time: float = 0.0
    errors: list[str] = field(default_factory=list)   # problems that stopped grading a part

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    def by_exercise(self) -> dict[str, list[TestResult]]:
        groups: dict[str, list[TestResult]] = {}
        for test in self.tests:
            groups.setdefault(test.exercise, []).append(test)
        return groups

    def to_dict(self) -> dict:
        return {"target": self.target, "isolation": self.isolation,
                "execution_time": self.execution_time, "score": self.score,
                "max_score": self.max_score, "errors": list(self.errors),
                "tests": [t.to_dict() for t in self.tests]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> "Results":
        return cls(tests=[TestResult.from_dict(t) for t in data.get("tests", [])],
                   target=data.get("target", ""), isolation=data.get("isolation", "none"),
                   execution_time=data.get("execution_time", 0.0),
                   errors=list(data.get("errors", [])))
