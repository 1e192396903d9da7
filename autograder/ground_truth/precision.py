"""Is a derived value right to the digits it claims? Derive it at two precisions and compare.

A value computed through a cancellation (``1 - tanh(z)**2`` at z = 710, where tanh rounds to 1 at
any fixed precision) comes out as noise whose size follows the working precision, so the same
derivation at 50 and at 100 digits gives two different numbers. A sound derivation gives the same
number to (nearly) every digit at both. ``python -m autograder.ground_truth --check`` runs every
case at both precisions and reports each value where they part:

* by more than the stored tolerance, where a float64 test would see the difference, or
* by more than ``AGREE`` relatively (fewer than 25 matching significant digits), which catches
  noise far below a test's tolerance: a cached 8.85e-221 for a true 8.0e-617 passes every
  float64 test, yet it is wrong, and any test that divided by it would be wrong too.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from . import decode_leaf

AGREE = Fraction(1, 10**25)        # the relative agreement a value stored to 50 digits must show
TOLERANCE_AGREE = 1e-9             # tolerances are float64 bounds: they may differ in last bits


def disagreements(low: dict, high: dict) -> list[str]:
    """Each field of two records of one case (derived at a low and a high precision) whose values
    or tolerances disagree, as one line each; empty when they agree."""
    problems = []
    for field in sorted(set(low["values"]) | set(high["values"])):
        if field not in low["values"] or field not in high["values"]:
            problems.append(f"{field}: present at one precision only")
            continue
        tol = high["tolerance"].get(field, {})
        rtol, atol = float(tol.get("rtol", 0.0)), float(tol.get("atol", 0.0))
        where = _first_disagreement(low["values"][field], high["values"][field], rtol, atol, [])
        if where is not None:
            problems.append(f"{field}{where}")
        for bound in ("rtol", "atol"):
            a = float(low["tolerance"].get(field, {}).get(bound, 0.0))
            b = float(high["tolerance"].get(field, {}).get(bound, 0.0))
            if abs(a - b) > TOLERANCE_AGREE * max(abs(a), abs(b)):
                problems.append(f"{field}: {bound} {a!r} at the low precision, {b!r} at the high")
    return problems


def _first_disagreement(low: Any, high: Any, rtol: float, atol: float, index: list) -> str | None:
    if isinstance(low, list) or isinstance(high, list):
        if not (isinstance(low, list) and isinstance(high, list)) or len(low) != len(high):
            return f"{index}: different shapes"
        for i, (a, b) in enumerate(zip(low, high)):
            found = _first_disagreement(a, b, rtol, atol, index + [i])
            if found is not None:
                return found
        return None
    a, b = decode_leaf(low, exact=True), decode_leaf(high, exact=True)
    if isinstance(a, str) or isinstance(b, str):
        return None if a == b else f"{index}: {low!r} != {high!r}"
    diff = abs(a - b)
    beyond_digits = diff > AGREE * abs(b)
    beyond_tolerance = float(a) != float(b) and diff > atol + rtol * abs(b)
    if beyond_digits or beyond_tolerance:
        what = "beyond the stored tolerance" if beyond_tolerance else "in its first 25 digits"
        return f"{index}: {low} at the low precision, {high} at the high: they differ {what}"
    return None
