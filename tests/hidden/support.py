"""Shared helpers of the hidden tests: comparing with a ground-truth field, and kind messages.

``check(actual, gt, field, ...)`` compares with the cached value under the cached tolerance
(whose reason is in the cache next to it). A test never names a known mistake itself: when it
fails, the grader replays its calls on the misconception catalogue (autograder/diagnosis.py), the
one place that decides which mistake, if any, the submission's behaviour matches.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from autograder.checks import expect_close, fmt
from autograder.feedback import Failure
from autograder.ground_truth import GroundTruth, param_array

__all__ = ["check", "check_value", "expect_float64", "fmt", "param_array", "Failure"]


def check_value(actual: Any, expected: Any, tol: Mapping[str, float], *, call: str,
                what: str = "the result", hint: str | None = None,
                plot: str | None = None) -> np.ndarray:
    """expect_close with a given tolerance (``{"rtol": ..., "atol": ...}``). ``plot`` names the
    objective a trajectory lives on, so the HTML report can draw it (autograder.objectives)."""
    return expect_close(actual, expected, call=call, what=what, hint=hint, plot=plot, **tol)


# Quadratics x.A.x/2 the report knows how to draw, by their exact A.
_QUADRATIC_OBJECTIVES = {
    (("2",),): "x^2",
    (("2", "0"), ("0", "4")): "x1^2+2*x2^2",
    (("1/5", "0"), ("0", "4")): "0.1*x1^2+2*x2^2",
    (("2", "0"), ("0", "2")): "x^2+y^2",
    (("2", "0"), ("0", "-2")): "x^2-y^2",
}


def quadratic_objective(A: Any) -> str | None:
    """The objective name of the quadratic x.A.x/2 for a report's picture, if it is a course one."""
    return _QUADRATIC_OBJECTIVES.get(tuple(tuple(row) for row in A))


def check(actual: Any, gt: GroundTruth, field: str, *, call: str, what: str | None = None,
          hint: str | None = None,
          expected: Any = None, plot: str | None = None) -> np.ndarray:
    """Compare ``actual`` with ground-truth ``field`` under its derived tolerance."""
    value = gt[field] if expected is None else expected
    return check_value(actual, value, gt.tol(field), call=call, what=what or field,
                       hint=hint, plot=plot)


def expect_float64(actual: Any, *, call: str, what: str = "the result") -> None:
    """The contract returns float64 arrays: an int array (or float32) loses precision or truncates."""
    dtype = getattr(actual, "dtype", None)
    if dtype is not None and dtype != np.float64:
        raise Failure(f"{call}: {what} has dtype {dtype}, expected float64",
                      hint="Convert inputs with np.asarray(x, dtype=np.float64) before computing; "
                           "an array built with np.zeros_like(an int array) stays int.")
