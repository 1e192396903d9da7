"""The points rule of ``course.toml``'s ``[points]`` table: what each test is worth.

Every exercise is worth the same (``per_exercise``), unless ``[points.exercise]`` names its own
worth (the Keras lab, a whole notebook). An exercise's worth is split across its graded tests in
proportion to their ``@pytest.mark.points`` weights (default 1), in steps of 1/8 point: the
steps are shared out by the largest-remainder method, so every exercise sums to exactly its
worth and every share is a binary fraction (sums of them are exact in float64, so a maximum
never reads 14.999999999999998).

The split is over the tests the run collected: a run of one exercise's tests (``-k adam``) shows
that exercise's full worth, and the whole suite shows the course's maximum.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

from . import toml_cache

MANIFEST = Path(__file__).with_name("course.toml")
STEP = Fraction(1, 8)


@lru_cache(maxsize=None)
def rule(path: Path = MANIFEST) -> tuple[Fraction, dict[str, Fraction]]:
    """(the worth of an exercise, the exercises with a worth of their own)."""
    table = toml_cache.load(path).get("points")
    if not isinstance(table, dict) or "per_exercise" not in table:
        raise ValueError(f"{path} has no [points] table with per_exercise: the points rule is unstated")
    own = {str(k): Fraction(str(v)) for k, v in (table.get("exercise") or {}).items()}
    return Fraction(str(table["per_exercise"])), own


def worth(exercise: str, path: Path = MANIFEST) -> Fraction:
    per_exercise, own = rule(path)
    return own.get(exercise, per_exercise)


def split(total: Fraction, weights: Sequence[float]) -> list[Fraction]:
    """``total`` shared in proportion to ``weights`` in steps of 1/8, summing to ``total``
    exactly: each gets the floor of its quota, and the steps left go to the largest remainders
    (the earlier one on a tie, so the split is the same every run)."""
    if not weights:
        return []
    exact = [Fraction(w).limit_denominator(10**6) for w in weights]
    whole = sum(exact)     # once: an exercise of many tests made this loop quadratic
    if whole == 0:
        return [Fraction(0)] * len(weights)
    steps = int(total / STEP)
    quotas = [steps * w / whole for w in exact]
    shares = [int(q) for q in quotas]
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in order[: steps - sum(shares)]:
        shares[i] += 1
    return [s * STEP for s in shares]


def points_of_tests(items: Sequence[tuple[str, float]], path: Path = MANIFEST) -> list[float]:
    """The points of each (exercise, marker weight) of a run's tests, in their order."""
    by_exercise: dict[str, list[int]] = {}
    for i, (exercise, _) in enumerate(items):
        by_exercise.setdefault(exercise, []).append(i)
    out = [0.0] * len(items)
    for exercise, indices in by_exercise.items():
        for i, share in zip(indices, split(worth(exercise, path), [items[i][1] for i in indices])):
            out[i] = float(share)
    return out


def maximum(exercises: Mapping[str, int] | Sequence[str], path: Path = MANIFEST) -> Fraction:
    """The course's maximum for these exercises (each with at least one test)."""
    return sum((worth(e, path) for e in exercises), Fraction(0))
