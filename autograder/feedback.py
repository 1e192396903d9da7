"""Structured failures: every failed check ends in one `Failure`, and every reporter renders it.

Modelled on check50's ``Failure``/``Mismatch``: a failure carries a *rationale* (what went wrong,
in a sentence a student can read), optionally the *expected* and *actual* values, a *hint* (what
to try) and the id of a *misconception* from ``course.toml`` when the wrong answer is a known one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Feedback:
    rationale: str
    expected: str | None = None
    actual: str | None = None
    hint: str | None = None
    misconception: str | None = None
    # Plain numbers a report can draw (JSON-able): {"plot": objective, "expected": [...],
    # "actual": [...]}. Never shown as text; the HTML report turns it into a picture.
    data: dict | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def render(self) -> str:
        # Multi-line values (matrices) keep their columns aligned under the label.
        def labelled(label: str, value: str) -> str:
            return label + value.replace("\n", "\n" + " " * len(label))

        lines = [self.rationale]
        if self.expected is not None:
            lines.append(labelled("  expected: ", self.expected))
        if self.actual is not None:
            lines.append(labelled("  got:      ", self.actual))
        if self.misconception is not None:
            lines.append(f"  known mistake: {self.misconception}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class Failure(AssertionError):
    """A failed check. Subclasses AssertionError so pytest reports it as a failure, not an error."""

    def __init__(self, rationale: str, *, expected: str | None = None, actual: str | None = None,
                 hint: str | None = None, misconception: str | None = None,
                 data: dict | None = None):
        self.feedback = Feedback(rationale, expected, actual, hint, misconception, data)
        super().__init__(self.feedback.render())


class SubmissionError(Failure):
    """The submission could not be called at all (import error, missing function, exception)."""
