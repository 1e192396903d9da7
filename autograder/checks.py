"""Comparisons that fail with feedback a student can act on.

Every check raises a :class:`~autograder.feedback.Failure` that says what was called, what was
expected, what came back and, for numbers, by how much the worst entry misses its tolerance.

A check never names a known mistake: a wrong value that happens to equal a mistake's answer on
one input proves little. The grader replays the failed test's calls on the misconception
catalogue (:mod:`autograder.diagnosis`, the one mistake matcher) and names a mistake only when its
code does what the submission did on every one of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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


def worst_entry(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    """The entry that misses its tolerance by the largest factor, as a sentence fragment.

    Ranked by |got - expected| / (atol + rtol * |expected|), the ratio ``isclose`` tests against
    1, not by the absolute difference: a big entry can be off by more and still be within its
    (relative) tolerance. The numbers are printed with two significant digits so that a miss
    below display precision (float32 arithmetic, say) still shows its size.
    """
    with np.errstate(all="ignore"):
        err = np.abs(got - expected)
        tol = atol + rtol * np.abs(expected)
        # A zero tolerance makes any difference infinitely bad; NaN against a number is as bad.
        ratio = np.divide(err, tol, out=np.where(err > 0, np.inf, 0.0), where=tol > 0)
        ratio = np.where(np.isnan(err), np.inf, ratio)
    flat = int(np.argmax(ratio.ravel()))
    e, t = float(np.ravel(err)[flat]), float(np.ravel(tol)[flat])
    at = ""
    if got.size > 1:
        at = f" at index [{', '.join(str(int(i)) for i in np.unravel_index(flat, got.shape))}]"
    return f"|got - expected| = {_short(e)} > tol {_short(t)}{at}"


def _short(x: float) -> str:
    """Two significant digits, exponent without padding: 3.1e-7, 0.25, 0, nan."""
    return f"{x:.2g}".replace("e-0", "e-").replace("e+0", "e+")


PLOT_DATA_LIMIT = 10_000  # numbers kept for a report's picture; more is not worth the bytes


def _plot_data(plot: str | None, expected: np.ndarray, got: np.ndarray) -> dict | None:
    if plot is None or expected.size > PLOT_DATA_LIMIT or got.size > PLOT_DATA_LIMIT:
        return None
    clean = lambda a: [None if not np.isfinite(v) else float(v) for v in a.ravel()]  # noqa: E731
    return {"plot": plot, "shape": list(expected.shape), "expected": clean(expected),
            "actual_shape": list(got.shape), "actual": clean(got)}


def expect_close(actual: Any, expected: Any, *, call: str, what: str = "the result",
                 rtol: float = 1e-7, atol: float = 0.0, hint: str | None = None,
                 plot: str | None = None) -> np.ndarray:
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
    if _plain_tolerance(rtol) and _plain_tolerance(atol) \
            and np.isfinite(got).all() and np.isfinite(expected).all():
        # The common case, every number finite: np.allclose's test without its generality
        # (NaN and infinity handling, array tolerances), which costs more than the test itself.
        # With finite values and tolerances >= 0, |got - expected| <= atol + rtol * |expected|
        # is exactly allclose's answer, computed by the same operations in the same order.
        if (np.abs(got - expected) <= atol + rtol * np.abs(expected)).all():
            return got
        raise Failure(f"{call}: {what} is wrong: {worst_entry(got, expected, rtol, atol)}",
                      expected=fmt(expected), actual=fmt(got),
                      data=_plot_data(plot, expected, got), hint=hint)
    bad_nan = np.isnan(got) & ~np.isnan(expected)
    if bad_nan.any() or (np.isinf(got) & np.isfinite(expected)).any():
        raise Failure(f"{call}: {what} contains NaN or infinity where a finite number was expected: "
                      f"{worst_entry(got, expected, rtol, atol)}",
                      expected=fmt(expected), actual=fmt(got), data=_plot_data(plot, expected, got),
                      hint=hint or "Look for a division by zero, an overflow, or a sign error that makes the iteration diverge.")
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return got
    raise Failure(f"{call}: {what} is wrong: {worst_entry(got, expected, rtol, atol)}",
                  expected=fmt(expected), actual=fmt(got), data=_plot_data(plot, expected, got),
                  hint=hint)


def _plain_tolerance(tol: Any) -> bool:
    """A tolerance the fast path of :func:`expect_close` may use: a finite real number >= 0."""
    return type(tol) in (float, int) and 0 <= tol < float("inf")


def expect_equal(actual: Any, expected: Any, *, call: str, what: str = "the result",
                 hint: str | None = None) -> Any:
    """Exact equality, for strings, integers and ``fractions.Fraction`` results."""
    # True == 1 in Python; a bool is never the right answer where a number is expected.
    same_kind = isinstance(actual, bool) == isinstance(expected, bool)
    if same_kind and actual == expected:
        return actual
    raise Failure(f"{call}: {what} is wrong", expected=fmt(expected), actual=fmt(actual), hint=hint)


def expect_unchanged(before: np.ndarray, after: Any, *, call: str, name: str) -> None:
    """The function must not modify its input ``name`` in place."""
    if not np.array_equal(np.asarray(before), np.asarray(after), equal_nan=True):
        raise Failure(f"{call} modified its argument `{name}` in place",
                      expected=fmt(np.asarray(before)), actual=fmt(np.asarray(after)),
                      hint="Build a new array (x = x - ..., np.copy) instead of updating in place (x -= ...).")
