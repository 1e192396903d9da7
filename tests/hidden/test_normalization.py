"""Hidden tests for normalization: batchnorm in training and inference mode against exact
rational statistics (one irrational square root, evaluated to 50 digits)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged

from .support import Failure, check, expect_float64, param_array

BN_X = [["1", "-2", "3"], ["2", "0", "3"], ["4", "2", "3"], ["-1", "4", "3"]]
FORWARD = [
    dict(x=BN_X, gamma=["1", "2", "1/2"], beta=["0", "-1", "1"]),
    dict(x=[["1/2", "10", "-3"], ["3/2", "20", "-1"], ["-1", "30", "5"]], gamma=["1", "1", "1"],
         beta=["0", "0", "0"], eps="1/1000"),
    dict(x=[["1000", "1/1000"], ["1001", "2/1000"]], gamma=["3", "1"], beta=["1", "0"]),
]


@pytest.mark.exercise("batchnorm")
@pytest.mark.points(2)
@pytest.mark.parametrize("case", FORWARD, ids=["constant-column", "square-eps", "offset-two-rows"])
def test_batchnorm_forward(target, case):
    gt = ground_truth.load("batchnorm_forward", **case)
    x, gamma, beta = (param_array(case[k]) for k in ("x", "gamma", "beta"))
    saved = [a.copy() for a in (x, gamma, beta)]
    eps = float(param_array(case.get("eps", "1/100000")))
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


INFERENCE = [
    dict(x=BN_X, gamma=["1", "2", "1/2"], beta=["0", "-1", "1"], running_mean=["1", "1", "3"],
         running_var=["4", "9/4", "0"]),
    dict(x=[["1/2", "10"]], gamma=["2", "1"], beta=["1", "1"], running_mean=["0", "10"],
         running_var=["1", "1/100"], eps="1/1000"),
]


@pytest.mark.exercise("batchnorm")
@pytest.mark.points(2)
@pytest.mark.parametrize("case", INFERENCE, ids=["batch-of-4", "single-example"])
def test_batchnorm_inference(target, case):
    gt = ground_truth.load("batchnorm_inference", **case)
    arrays = {k: param_array(case[k]) for k in ("x", "gamma", "beta", "running_mean", "running_var")}
    saved = {k: v.copy() for k, v in arrays.items()}
    eps = float(param_array(case.get("eps", "1/100000")))
    call = ("batchnorm_inference(" + ", ".join(f"{k}={v.tolist()}" for k, v in arrays.items()) + f", eps={eps:g})")
    fn = target.normalization.batchnorm_inference
    args = [arrays[k] for k in ("x", "gamma", "beta", "running_mean", "running_var")]
    got = fn(*args, eps=eps) if "eps" in case else fn(*args)
    check(got, gt, "y", call=call, what="the output")
    expect_float64(got, call=call)
    for k, before in saved.items():
        expect_unchanged(before, arrays[k], call=call, name=k)
