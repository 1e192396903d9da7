"""Comparisons that fail with feedback a student can act on.

Every check raises a :class:`~autograder.feedback.Failure` that says what was called, what was
expected, what came back, and, when the wrong answer is one a known mistake produces, which
mistake (an id from ``course.toml``) with the sentence that explains it.

``mistakes`` maps a misconception id to the value that mistake would return for the same call.
The expected values come from the test (sympy, exact arithmetic); so do the wrong ones.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .course import load_course
from .feedback import Failure


def fmt(value: Any) -> str:
    """A short, readable rendering of a number or an array for a message."""
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=6, threshold=12, edgeitems=3, suppress_small=False)
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def as_float_array(value: Any, *, call: str, what: str = "the result") -> np.ndarray:
    """``value`` as a float64 array, or a Failure saying why it is not a numeric array."""
    if value is None:
        raise Failure(f"{call} returned None",
                      hint="Did you forget the `return` statement?")
    if isinstance(value, (str, bytes, dict, set)):
        raise Failure(f"{call}: {what} should be numbers, got a {type(value).__name__}",
                      actual=fmt(value))
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise Failure(f"{call}: {what} could not be read as an array of numbers ({exc})",
                      actual=fmt(value)) from None
    return array


def _misconception(mistake_id: str) -> str:
    course = load_course()
    if mistake_id not in course.misconceptions:
        raise KeyError(f"misconception {mistake_id!r} is not in course.toml")
    return course.misconceptions[mistake_id].message


def _matching_mistake(actual: np.ndarray, mistakes: Mapping[str, Any] | None,
                      rtol: float, atol: float) -> str | None:
    for mistake_id, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == actual.shape and np.allclose(actual, wrong, rtol=rtol, atol=atol):
            return mistake_id
    return None


PLOT_DATA_LIMIT = 10_000  # numbers kept for a report's picture; more is not worth the bytes


def _plot_data(plot: str | None, expected: np.ndarray, got: np.ndarray) -> dict | None:
    if plot is None or expected.size > PLOT_DATA_LIMIT or got.size > PLOT_DATA_LIMIT:
        return None
    clean = lambda a: [None if not np.isfinite(v) else float(v) for v in a.ravel()]  # noqa: E731
    return {"plot": plot, "shape": list(expected.shape), "expected": clean(expected),
            "actual_shape": list(got.shape), "actual": clean(got)}


def expect_close(actual: Any, expected: Any, *, call: str, what: str = "the result",
                 rtol: float = 1e-7, atol: float = 0.0, hint: str | None = None,
                 mistakes: Mapping[str, Any] | None = None, plot: str | None = None) -> np.ndarray:
    """Check a numeric result: not None, right shape, finite where expected, values within tolerance.

    ``rtol``/``atol`` follow numpy's ``isclose``: |actual - expected| <= atol + rtol * |expected|.
    ``plot`` names an objective of :mod:`autograder.objectives` when the result is a trajectory
    on it: a failure then carries both trajectories so the HTML report can draw them.
    Returns the result as a float64 array so a test can go on checking it.
    """
    expected = np.asarray(expected, dtype=np.float64)
    got = as_float_array(actual, call=call, what=what)
    if got.shape != expected.shape:
        raise Failure(f"{call}: {what} has shape {got.shape}, expected shape {expected.shape}",
                      expected=fmt(expected), actual=fmt(got), data=_plot_data(plot, expected, got),
                      hint=hint or "Check which axis you build along and that you return every row.")
    bad_nan = np.isnan(got) & ~np.isnan(expected)
    if bad_nan.any() or (np.isinf(got) & np.isfinite(expected)).any():
        mistake = _matching_mistake(got, mistakes, rtol, atol)
        raise Failure(f"{call}: {what} contains NaN or infinity where a finite number was expected",
                      expected=fmt(expected), actual=fmt(got), misconception=mistake,
                      data=_plot_data(plot, expected, got),
                      hint=_misconception(mistake) if mistake else
                      (hint or "Look for a division by zero, an overflow, or a sign error that makes the iteration diverge."))
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return got
    mistake = _matching_mistake(got, mistakes, rtol, atol)
    err = np.abs(got - expected)
    where = ""
    if got.ndim and got.size > 1:
        worst = np.unravel_index(np.nanargmax(np.where(np.isnan(err), -1, err)), got.shape)
        where = f" (largest difference at index {tuple(int(i) for i in worst)})"
    raise Failure(f"{call}: {what} is wrong{where}",
                  expected=fmt(expected), actual=fmt(got), misconception=mistake,
                  data=_plot_data(plot, expected, got),
                  hint=_misconception(mistake) if mistake else hint)


def expect_equal(actual: Any, expected: Any, *, call: str, what: str = "the result",
                 hint: str | None = None, mistakes: Mapping[str, Any] | None = None) -> Any:
    """Exact equality, for strings, integers and ``fractions.Fraction`` results."""
    # True == 1 in Python; a bool is never the right answer where a number is expected.
    same_kind = isinstance(actual, bool) == isinstance(expected, bool)
    if same_kind and actual == expected:
        return actual
    mistake = next((m for m, wrong in (mistakes or {}).items() if actual == wrong), None)
    raise Failure(f"{call}: {what} is wrong", expected=fmt(expected), actual=fmt(actual),
                  misconception=mistake, hint=_misconception(mistake) if mistake else hint)


def expect_unchanged(before: np.ndarray, after: Any, *, call: str, name: str) -> None:
    """The function must not modify its input ``name`` in place."""
    if not np.array_equal(np.asarray(before), np.asarray(after), equal_nan=True):
        raise Failure(f"{call} modified its argument `{name}` in place",
                      expected=fmt(np.asarray(before)), actual=fmt(np.asarray(after)),
                      hint="Build a new array (x = x - ..., np.copy) instead of updating in place (x -= ...).")
