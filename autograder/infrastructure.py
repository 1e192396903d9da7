"""Failures of the grading machine, kept apart from everything a submission can be scored on.

When the grader itself cannot do its job (no sandbox level can start a worker, the worker's box
cannot be written, the ground truth cannot be read, a bug of the engine), the submission was not
graded: no point is awarded or withheld, the exit code says "not graded", and every report shows
one line for the instructor, saying what failed and how to fix it, and nothing that blames the
student's code. Such a failure is raised as an :class:`InfrastructureError`; the grading session
turns it into :attr:`autograder.results.Results.infrastructure_error`.

This module imports nothing: the sandbox and the ground truth both raise its exception.
"""

from __future__ import annotations

import re

#: A line, however long the reasons behind it: reports show it whole, on one line.
LINE_LIMIT = 2000


class InfrastructureError(Exception):
    """The grading machine failed, not the submission: ``what`` happened and ``fix`` it so."""

    def __init__(self, what: str, fix: str):
        self.what, self.fix = what, fix
        super().__init__(describe(what, fix))


def describe(what: str, fix: str) -> str:
    """``what`` and ``fix`` as the one line every report shows (whitespace collapsed, bounded)."""
    what = one_line(what).rstrip(".")
    fix = one_line(fix).rstrip(".")
    text = f"{what}. To fix: {fix}." if fix else f"{what}."
    if len(text) > LINE_LIMIT:
        text = text[:LINE_LIMIT - 1] + "…"
    return text


def one_line(text: str) -> str:
    """Every run of whitespace (newlines of a worker's stderr, tabs) as one space."""
    return re.sub(r"\s+", " ", str(text)).strip()


def from_exception(exc: BaseException) -> str:
    """The infrastructure line for ``exc``: its own words for an InfrastructureError, else the
    words of an engine bug (an exception that escaped the grader's own code)."""
    if isinstance(exc, InfrastructureError):
        return str(exc)
    return grader_bug(f"{type(exc).__name__}: {exc}")


def grader_bug(detail: str) -> str:
    return describe(f"the grader failed ({detail})",
                    "this is a bug of the autograder or of its tests, not of the submission: "
                    "report it with the grader's log, then grade the submission again")
