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


def _distinct(mistakes):
    """The known wrong answers that only one mistake gives: where two coincide (at t = 1 Adam's
    step and the uncorrected gradient's agree) the answer cannot say which mistake was made."""
    return {name: value for name, value in mistakes.items()
            if not any(other != name and np.array_equal(np.asarray(value), np.asarray(v))
                       for other, v in mistakes.items())}


@pytest.mark.exercise("adadelta")
@pytest.mark.points(1)
@pytest.mark.parametrize("x,g,s,delta,hyper", ADADELTA_STEPS, ids=["first-step", "matrix", "scalar", "warm"])
def test_adadelta_step(target, credit, x, g, s, delta, hyper):
    gt = ground_truth.load("adadelta_step_exact", x=x, g=g, s=s, delta=delta, **({"hyper": hyper} if hyper else {}))
    inputs = {"x": param_array(x), "s": param_array(s), "delta": param_array(delta), "g": param_array(g)}
    saved = {k: np.copy(v) for k, v in inputs.items()}
    kw = _floats(hyper)
    call = ("adadelta_step(" + ", ".join(f"{k}={_shown(v)}" for k, v in inputs.items())
            + "".join(f", {k}={v}" for k, v in (hyper or {}).items()) + ")")
    x_new, s_new, delta_new = target.gradient_descent.adadelta_step(
        inputs["x"], inputs["s"], inputs["delta"], inputs["g"], **kw)
    check(s_new, gt, "s", call=call, what="s_new")
    check(x_new, gt, "x", call=call, what="x_new",
          mistakes=_distinct({"adadelta-eps-outside-root": gt["eps_outside_x"], "adadelta-stale-s": gt["stale_s_x"]}))
    credit.award(0.5, "s_new and x_new right")
    check(delta_new, gt, "delta", call=call, what="delta_new",
          mistakes={"adadelta-delta-from-gradient": gt["delta_from_gradient"]})
    expect_float64(np.asarray(x_new), call=call, what="x_new")
    for name, before in saved.items():
        expect_unchanged(before, inputs[name], call=call, name=name)


@pytest.mark.exercise("nadam")
@pytest.mark.points(1)
@pytest.mark.parametrize("x,g,v,s,t,eta,hyper", NADAM_STEPS, ids=["t=1", "t=5", "matrix-t=1000", "scalar-t=2"])
def test_nadam_step(target, credit, x, g, v, s, t, eta, hyper):
    gt = ground_truth.load("nadam_step_exact", x=x, g=g, v=v, s=s, t=t, eta=eta, **({"hyper": hyper} if hyper else {}))
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
    check(x_new, gt, "x", call=call, what="x_new",
          mistakes=_distinct({"nadam-no-bias-correction": gt["no_bias_correction_x"],
                              "nadam-plain-adam": gt["plain_adam_x"],
                              "nadam-gradient-uncorrected": gt["gradient_uncorrected_x"]}))
    expect_float64(np.asarray(x_new), call=call, what="x_new")
    for name, before in saved.items():
        expect_unchanged(before, inputs[name], call=call, name=name)
