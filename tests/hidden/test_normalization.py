"""Hidden tests for normalization: batchnorm in training and inference mode against exact
rational statistics (one irrational square root, evaluated to 50 digits)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged

from autograder.ground_truth import cases

from .support import Failure, check, expect_float64, param_array



@pytest.mark.exercise("batchnorm")
@pytest.mark.points(2)
@pytest.mark.parametrize("name", cases.BN_FORWARD)
def test_batchnorm_forward(target, name):
    case = cases.BN_FORWARD[name]
    gt = ground_truth.load("batchnorm_forward", **case)
    x, gamma, beta = (param_array(case[k]) for k in ("x", "gamma", "beta"))
    saved = [a.copy() for a in (x, gamma, beta)]
    eps = float(param_array(case.get("eps", cases.BN_DEFAULT_EPS)))
    call = f"batchnorm_forward(x={x.tolist()}, gamma={gamma.tolist()}, beta={beta.tolist()}, eps={eps:g})"
    fn = target.normalization.batchnorm_forward
    got = fn(x, gamma, beta, eps=eps) if "eps" in case else fn(x, gamma, beta)
    check(got, gt, "y", call=call, what="the normalised batch")
    expect_float64(got, call=call)
    for name, before, after in zip(("x", "gamma", "beta"), saved, (x, gamma, beta)):
        expect_unchanged(before, after, call=call, name=name)


@pytest.mark.exercise("batchnorm")
@pytest.mark.points(1)
def test_batchnorm_forward_rejects_a_vector(target):
    call = "batchnorm_forward(x of shape (4,), gamma=[1], beta=[0])"
    try:
        target.normalization.batchnorm_forward(np.arange(4.0), np.ones(1), np.zeros(1))
    except ValueError:
        return
    raise Failure(f"{call} should raise ValueError (x must have shape (N, D))")




@pytest.mark.exercise("batchnorm")
@pytest.mark.points(2)
@pytest.mark.parametrize("name", cases.BN_INFERENCE)
def test_batchnorm_inference(target, name):
    case = cases.BN_INFERENCE[name]
    gt = ground_truth.load("batchnorm_inference", **case)
    arrays = {k: param_array(case[k]) for k in ("x", "gamma", "beta", "running_mean", "running_var")}
    saved = {k: v.copy() for k, v in arrays.items()}
    eps = float(param_array(case.get("eps", cases.BN_DEFAULT_EPS)))
    call = ("batchnorm_inference(" + ", ".join(f"{k}={v.tolist()}" for k, v in arrays.items()) + f", eps={eps:g})")
    fn = target.normalization.batchnorm_inference
    args = [arrays[k] for k in ("x", "gamma", "beta", "running_mean", "running_var")]
    got = fn(*args, eps=eps) if "eps" in case else fn(*args)
    check(got, gt, "y", call=call, what="the output")
    expect_float64(got, call=call)
    for k, before in saved.items():
        expect_unchanged(before, arrays[k], call=call, name=k)
