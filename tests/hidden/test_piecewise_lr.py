"""Hidden tests for piecewise_constant_lr and sgd following it. Every expected value is the sympy
``Piecewise`` of autograder/ground_truth/derivations/schedules.py evaluated exactly."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_close
from autograder.ground_truth.cases import GD_PIECEWISE_SCHEDULE, PIECEWISE_SCHEDULES

from .course_functions import quadratic_grad
from .support import check, expect_float64, param_array

@pytest.mark.exercise("piecewise_lr")
@pytest.mark.points(1)
@pytest.mark.parametrize("boundaries,values,ts", PIECEWISE_SCHEDULES,
                         ids=[f"boundaries={b}" for b, _, _ in PIECEWISE_SCHEDULES])
def test_piecewise_factors(target, boundaries, values, ts):
    gt = ground_truth.load("piecewise_schedule", boundaries=boundaries, values=values, ts=ts)
    floats = [float(param_array(v)) for v in values]
    fn = target.gradient_descent.piecewise_constant_lr
    got = [fn(t, boundaries=list(boundaries), values=list(floats)) for t in ts]
    check(got, gt, "factors", call=f"piecewise_constant_lr(t, boundaries={boundaries}, values={values}) "
                                   f"for t in {ts}", what="the factors")


@pytest.mark.exercise("piecewise_lr")
@pytest.mark.points(1)
def test_piecewise_defaults(target):
    # The docstring's defaults: boundaries (10, 20), values (1, 0.5, 0.1).
    boundaries, values, ts = PIECEWISE_SCHEDULES[0]
    gt = ground_truth.load("piecewise_schedule", boundaries=boundaries, values=values, ts=ts)
    got = [target.gradient_descent.piecewise_constant_lr(t) for t in ts]
    check(got, gt, "factors", call=f"piecewise_constant_lr(t) for t in {ts}", what="the factors",
          hint="The defaults are boundaries=(10, 20) and values=(1.0, 0.5, 0.1).")


@pytest.mark.exercise("piecewise_lr")
@pytest.mark.points(1)
def test_piecewise_returns_a_float(target):
    # Step 3 lies after the only boundary, 2: the second value, 1/4 (exact in binary), is in force.
    call = "piecewise_constant_lr(3, boundaries=[2], values=[1.0, 0.25])"
    got = target.gradient_descent.piecewise_constant_lr(3, boundaries=[2], values=[1.0, 0.25])
    expect_close(got, 0.25, call=call, what="the factor")
    expect_float64(np.asarray(got), call=call, what="the factor")


@pytest.mark.exercise("sgd")
@pytest.mark.points(1)
def test_sgd_with_a_piecewise_schedule(target):
    params = GD_PIECEWISE_SCHEDULE
    gt = ground_truth.load("gd_piecewise_schedule", **params)
    factors = {1: 1.0, 2: 1.0, 3: 0.5, 4: 0.5, 5: 0.25, 6: 0.25}

    def schedule(t):   # the schedule as sgd receives it: a function of t alone
        return factors[int(t)]
    traj = target.gradient_descent.sgd(quadratic_grad(param_array(params["A"])), np.array([3.0, -2.0]), 0.2,
                                       6, np.random.default_rng(0), noise_std=0.0, lr_schedule=schedule)
    check(traj, gt, "trajectory", what="the trajectory", plot="x1^2+2*x2^2",
          call="sgd(grad of x1^2 + 2 x2^2, x0=[3, -2], eta=0.2, 6 steps, noise_std=0, "
               "lr_schedule = piecewise: 1 for t <= 2, 0.5 for t <= 4, then 0.25)",
          hint="Multiply eta by lr_schedule(t) with t = 1 at the first update.")
