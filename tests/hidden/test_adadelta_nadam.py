"""Hidden tests for adadelta_step and nadam_step: one step from exact states, every expected value
derived with sympy's exact roots (autograder/ground_truth/derivations/adaptive_more.py)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged
from autograder.ground_truth.cases import ADADELTA_STEPS, NADAM_STEPS

from .support import check, expect_float64, param_array


def _floats(hyper):
    return {k: float(param_array(v)) for k, v in (hyper or {}).items()}


def _shown(value):
    return np.asarray(value).tolist()


@pytest.mark.exercise("adadelta")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", ADADELTA_STEPS)
def test_adadelta_step(target, credit, name):
    case = ADADELTA_STEPS[name]
    x, g, s, delta, hyper = (case.get(k) for k in ("x", "g", "s", "delta", "hyper"))
    gt = ground_truth.load("adadelta_step_exact", **case)
    inputs = {"x": param_array(x), "s": param_array(s), "delta": param_array(delta), "g": param_array(g)}
    saved = {k: np.copy(v) for k, v in inputs.items()}
    kw = _floats(hyper)
    call = ("adadelta_step(" + ", ".join(f"{k}={_shown(v)}" for k, v in inputs.items())
            + "".join(f", {k}={v}" for k, v in (hyper or {}).items()) + ")")
    x_new, s_new, delta_new = target.gradient_descent.adadelta_step(
        inputs["x"], inputs["s"], inputs["delta"], inputs["g"], **kw)
    check(s_new, gt, "s", call=call, what="s_new")
    check(x_new, gt, "x", call=call, what="x_new")
    credit.award(0.5, "s_new and x_new right")
    check(delta_new, gt, "delta", call=call, what="delta_new")
    expect_float64(np.asarray(x_new), call=call, what="x_new")
    for name, before in saved.items():
        expect_unchanged(before, inputs[name], call=call, name=name)


@pytest.mark.exercise("nadam")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", NADAM_STEPS)
def test_nadam_step(target, credit, name):
    case = NADAM_STEPS[name]
    x, g, v, s, t, eta, hyper = (case.get(k) for k in ("x", "g", "v", "s", "t", "eta", "hyper"))
    gt = ground_truth.load("nadam_step_exact", **case)
    inputs = {"x": param_array(x), "v": param_array(v), "s": param_array(s), "g": param_array(g)}
    saved = {k: np.copy(v) for k, v in inputs.items()}
    kw = _floats(hyper)
    call = (f"nadam_step(x={_shown(inputs['x'])}, v={_shown(inputs['v'])}, s={_shown(inputs['s'])}, t={t}, "
            f"g={_shown(inputs['g'])}, eta={eta}" + "".join(f", {k}={v}" for k, v in (hyper or {}).items()) + ")")
    x_new, v_new, s_new = target.gradient_descent.nadam_step(
        inputs["x"], inputs["v"], inputs["s"], t, inputs["g"], float(param_array(eta)), **kw)
    check(v_new, gt, "v", call=call, what="v_new")
    check(s_new, gt, "s", call=call, what="s_new")
    credit.award(0.5, "moments right")
    check(x_new, gt, "x", call=call, what="x_new")
    expect_float64(np.asarray(x_new), call=call, what="x_new")
    for name, before in saved.items():
        expect_unchanged(before, inputs[name], call=call, name=name)
