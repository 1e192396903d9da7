"""Hidden tests for batchnorm_backward (every gradient from sympy's differentiation of the forward
expression) and update_running_stats (exact moving averages over a sequence of batches)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged
from autograder.ground_truth.cases import BATCHNORM_BACKWARD, RUNNING_STATS

from .support import Failure, check, expect_float64, param_array


@pytest.mark.exercise("batchnorm_backward")
@pytest.mark.points(2)
@pytest.mark.parametrize("x,gamma,dout,eps", BATCHNORM_BACKWARD, ids=["docstring", "3x2", "4x3-eps=0.1", "N=2"])
def test_batchnorm_backward(target, credit, x, gamma, dout, eps):
    gt = ground_truth.load("batchnorm_backward_exact", x=x, gamma=gamma, dout=dout, eps=eps)
    X, G, D = param_array(x), param_array(gamma), param_array(dout)
    saved = X.copy(), G.copy(), D.copy()
    call = f"batchnorm_backward(dout={D.tolist()}, x={X.tolist()}, gamma={G.tolist()}, eps={eps})"
    result = target.normalization.batchnorm_backward(D, X, G, eps=float(param_array(eps)))
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Failure(f"{call} returned {type(result).__name__}, not three arrays (dx, dgamma, dbeta)",
                      hint="return dx, dgamma, dbeta")
    dx, dgamma, dbeta = result
    check(dbeta, gt, "dbeta", call=call, what="dbeta", hint="dbeta sums dout over the batch (axis 0).")
    check(dgamma, gt, "dgamma", call=call, what="dgamma")
    credit.award(0.5, "dgamma and dbeta right")
    check(dx, gt, "dx", call=call, what="dx")
    expect_float64(dx, call=call, what="dx")
    for before, after, name in zip(saved, (X, G, D), ("x", "gamma", "dout")):
        expect_unchanged(before, after, call=call, name=name)


@pytest.mark.exercise("batchnorm_running_stats")
@pytest.mark.points(2)
@pytest.mark.parametrize("batches,mean0,var0,momentum", RUNNING_STATS, ids=["docstring", "keras-default-3-batches",
                                                                            "momentum=1/2"])
def test_running_stats_over_batches(target, batches, mean0, var0, momentum):
    gt = ground_truth.load("running_stats_sequence", batches=batches, mean0=mean0, var0=var0, momentum=momentum)
    mean, var = param_array(mean0), param_array(var0)
    m = float(param_array(momentum))
    means, variances = [], []
    for batch in batches:
        X = param_array(batch)
        before = X.copy()
        mean, var = target.normalization.update_running_stats(mean, var, X, momentum=m)
        expect_unchanged(before, X, call="update_running_stats", name="x")
        means.append(np.asarray(mean, dtype=np.float64))
        variances.append(np.asarray(var, dtype=np.float64))
    call = (f"update_running_stats fed its own results over {len(batches)} batch(es) from running_mean={mean0}, "
            f"running_var={var0}, momentum={momentum}")
    check(np.array(means), gt, "mean", call=call, what="the running means after each batch")
    check(np.array(variances), gt, "var", call=call, what="the running variances after each batch")
