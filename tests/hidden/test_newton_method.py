"""Hidden tests for least_squares_gradient_and_hessian and newton_method: exact rational batch
derivatives, and exact Newton trajectories with the stopping rule evaluated exactly
(autograder/ground_truth/derivations/newton_method.py)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged
from autograder.ground_truth.cases import LEAST_SQUARES, NEWTON_METHOD

from .newton_functions import NEWTON_FUNCTIONS
from .support import Failure, check, expect_float64, param_array

pytestmark = pytest.mark.exercise("newton_method")

WHERE = {"x^2+2*y^2": "the minimum of a quadratic", "x^2+x*y+y^2-x": "the minimum of a coupled quadratic",
         "x^4/4-x^2/2+y^2/2": "a saddle", "x^4/4-x^2/2-y^2/2": "a maximum"}


@pytest.mark.points(1)
@pytest.mark.parametrize("X,y,w", LEAST_SQUARES, ids=["docstring", "4x3", "one-feature"])
def test_least_squares_gradient_and_hessian(target, X, y, w):
    gt = ground_truth.load("least_squares_derivatives", X=X, y=y, w=w)
    Xa, ya, wa = param_array(X), param_array(y), param_array(w)
    saved = Xa.copy(), ya.copy(), wa.copy()
    call = f"least_squares_gradient_and_hessian(X={Xa.tolist()}, y={ya.tolist()}, w={wa.tolist()})"
    result = target.second_order.least_squares_gradient_and_hessian(Xa, ya, wa)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failure(f"{call} returned {type(result).__name__}, not a pair (g, H)", hint="return g, H")
    g, H = result
    check(g, gt, "g", call=call, what="g")
    check(H, gt, "H", call=call, what="H")
    expect_float64(g, call=call, what="g")
    for before, after, name in zip(saved, (Xa, ya, wa), ("X", "y", "w")):
        expect_unchanged(before, after, call=call, name=name)


@pytest.mark.points(2)
@pytest.mark.parametrize("function,w0,max_steps,damping", NEWTON_METHOD,
                         ids=[f"{f}-damping={d}" for f, _, _, d in NEWTON_METHOD])
def test_newton_method_trajectory(target, function, w0, max_steps, damping):
    gt = ground_truth.load("newton_method_trajectory", function=function, w0=w0, max_steps=max_steps, damping=damping)
    grad, hess = NEWTON_FUNCTIONS[function]
    start = param_array(w0)
    before = start.copy()
    lam = float(param_array(damping))
    call = (f"newton_method(grad and hess of {function}, w0={start.tolist()}, max_steps={max_steps}, "
            f"tol=1e-8, damping={damping})")
    traj = target.second_order.newton_method(grad, hess, start, max_steps, tol=1e-8, damping=lam)
    steps = int(gt["steps"])
    hint = (f"This run heads for {WHERE[function]}" + ("" if lam else ": plain Newton goes to any critical point")
            + f"; with the stopping rule it takes {steps} step(s), so the result has {steps + 1} rows.")
    check(traj, gt, "trajectory", call=call, what="the trajectory", hint=hint,
          plot="x1^2+2*x2^2" if function == "x^2+2*y^2" else None)
    expect_float64(traj, call=call, what="the trajectory")
    expect_unchanged(before, start, call=call, name="w0")
