"""Hidden tests for initialization: the exact seeded draws of the documented call, and the law of
the draws (sample mean and second moment) inside acceptance bands derived from the exact law.

False-failure probability: each distributional test checks the mean and the second moment of
fan_in * fan_out = 40000 draws, each at delta/2 with delta = 1e-9 (a Chernoff bound on chi^2 for
normal draws, Hoeffding's bound for uniform ones; see autograder/ground_truth/derivations/
distributions.py): a correct initialiser fails it with probability at most 1e-9 over seeds."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import ground_truth
from autograder.ground_truth import cases

from .support import Failure, check_value, expect_float64

NAMES = cases.INITIALIZERS


def _expected_draw(gt, fan_in, fan_out, seed):
    """The documented single call on a fresh generator (the contract), with the cached scale."""
    rng = np.random.default_rng(seed)
    s = gt["scale"]
    if gt["kind"] == "normal":
        return rng.normal(0.0, s, size=(fan_in, fan_out))
    return rng.uniform(-s, s, size=(fan_in, fan_out))


@pytest.mark.exercise("initialization")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fan_in,fan_out", list(cases.INIT_SEEDED_FANS.values()), ids=list(cases.INIT_SEEDED_FANS))
def test_exact_seeded_draws(target, name, fan_in, fan_out):
    gt = ground_truth.load("initializer_law", name=name, fan_in=fan_in, fan_out=fan_out)
    seed = 1000 + 10 * fan_in + fan_out
    call = f"{name}({fan_in}, {fan_out}, np.random.default_rng({seed}))"
    got = getattr(target.initialization, name)(fan_in, fan_out, np.random.default_rng(seed))
    expected = _expected_draw(gt, fan_in, fan_out, seed)
    kind = "rng.normal(0.0, std, size=(fan_in, fan_out))" if gt["kind"] == "normal" else \
        "rng.uniform(-a, a, size=(fan_in, fan_out))"
    # rtol 4 ulps: the scale may be computed as sqrt(2/(n+m)) or sqrt(2)/sqrt(n+m) (2 roundings
    # apart). atol scaled to the law's width: rng.uniform(-a, a) computes -a + 2a*u, and the same
    # draw written a * (2u - 1) rounds differently, by up to ~4 eps * a on each side, which near
    # a zero entry is no relative accuracy at all; a wrong scale is off by a factor, far beyond.
    eps = np.finfo(float).eps
    check_value(got, expected, {"rtol": 8 * eps, "atol": 8 * eps * gt["scale"]}, call=call, what="the weights",
                hint=f"Make exactly one call, {kind}, with the scale {gt['scale']:.6g}.")
    expect_float64(got, call=call, what="the weights")


@pytest.mark.exercise("initialization")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
@pytest.mark.parametrize("name", NAMES)
def test_law_of_the_draws(target, name):
    (fan_in, fan_out), seed = cases.INIT_LAW_FANS, 77
    gt = ground_truth.load("initializer_law", name=name, fan_in=fan_in, fan_out=fan_out)
    call = f"{name}({fan_in}, {fan_out}, np.random.default_rng({seed}))"
    W = np.asarray(getattr(target.initialization, name)(fan_in, fan_out, np.random.default_rng(seed)), dtype=float)
    if W.shape != (fan_in, fan_out):
        raise Failure(f"{call} has shape {W.shape}, expected {(fan_in, fan_out)}",
                      hint="W has one row per input (fan_in) and one column per output (fan_out).")
    lo, hi = gt["m2_band"]
    m2 = float(np.mean(W * W))
    mean = float(np.mean(W))
    if not lo <= m2 <= hi:
        raise Failure(f"{call}: the mean square of the 40000 weights is {m2:.6g}; a correct initialiser "
                      f"gives a value in [{lo:.6g}, {hi:.6g}] except with probability 1e-9 "
                      f"(exact variance {gt.text('variance')})",
                      hint="Check the variance formula and that a normal takes the std.")
    if abs(mean) > gt["mean_halfwidth"]:
        raise Failure(f"{call}: the mean of the 40000 weights is {mean:.6g}, outside +-{gt['mean_halfwidth']:.3g} "
                      "(probability 1e-9 for a correct initialiser)", hint="The weights have mean 0.")
    if gt["kind"] == "uniform" and np.abs(W).max() > gt["scale"]:
        raise Failure(f"{call}: a weight {np.abs(W).max():.6g} lies outside (-a, a) with a = {gt['scale']:.6g}")
