"""Shared helpers of the hidden tests: comparing with a ground-truth field, and kind messages.

``check(actual, gt, field, ...)`` compares with the cached value under the cached tolerance
(whose reason is in the cache next to it). When the answer is wrong it also looks for a known
mistake with a looser tolerance than the check itself: a wrong implementation rounds differently
from the exact wrong value, and naming the mistake should not depend on the last few ulps.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from autograder.checks import expect_close, fmt
from autograder.feedback import Failure
from autograder.ground_truth import GroundTruth, param_array

MISTAKE_RTOL, MISTAKE_ATOL = 1e-9, 1e-12

__all__ = ["check", "check_value", "expect_float64", "fmt", "param_array", "Failure"]


def _loose_mistake(actual: Any, mistakes: Mapping[str, Any] | None) -> str | None:
    try:
        got = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    for mistake_id, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=MISTAKE_RTOL,
                                                    atol=MISTAKE_ATOL, equal_nan=True):
            return mistake_id
    return None


def check_value(actual: Any, expected: Any, tol: Mapping[str, float], *, call: str,
                what: str = "the result", mistakes: Mapping[str, Any] | None = None,
                hint: str | None = None, plot: str | None = None) -> np.ndarray:
    """expect_close with a given tolerance; a wrong answer that matches a known mistake (to 1e-9)
    is reported with that mistake's id and explanation. ``plot`` names the objective a
    trajectory lives on, so the HTML report can draw it (autograder.objectives)."""
    try:
        return expect_close(actual, expected, call=call, what=what, hint=hint, plot=plot, **tol)
    except Failure:
        mistake = _loose_mistake(actual, mistakes)
        if mistake is None:
            raise
        # Re-run the comparison naming the mistake: expect_close matches it exactly now.
        return expect_close(actual, expected, call=call, what=what, hint=hint, plot=plot,
                            mistakes={mistake: np.asarray(actual, dtype=np.float64)}, **tol)


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
          mistakes: Mapping[str, Any] | None = None, hint: str | None = None,
          expected: Any = None, plot: str | None = None) -> np.ndarray:
    """Compare ``actual`` with ground-truth ``field`` under its derived tolerance."""
    value = gt[field] if expected is None else expected
    return check_value(actual, value, gt.tol(field), call=call, what=what or field,
                       mistakes=mistakes, hint=hint, plot=plot)


def expect_float64(actual: Any, *, call: str, what: str = "the result") -> None:
    """The contract returns float64 arrays: an int array (or float32) loses precision or truncates."""
    dtype = getattr(actual, "dtype", None)
    if dtype is not None and dtype != np.float64:
        raise Failure(f"{call}: {what} has dtype {dtype}, expected float64",
                      hint="Convert inputs with np.asarray(x, dtype=np.float64) before computing; "
                           "an array built with np.zeros_like(an int array) stays int.")
