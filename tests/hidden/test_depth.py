"""Hidden tests for depth: sympy's own derivative of the sigmoid multiplied through the chain, and
exact rational variances (autograder/ground_truth/derivations/depth.py)."""

from __future__ import annotations

import pytest

from autograder import ground_truth
from autograder.ground_truth.cases import FORWARD_VARIANCES, SIGMOID_CHAINS

from .support import check, expect_float64, param_array

pytestmark = pytest.mark.exercise("depth")


@pytest.mark.points(1)
@pytest.mark.parametrize("weights,zs", SIGMOID_CHAINS, ids=["two-layers", "ten-layers-vanishes", "mixed", "explodes"])
def test_chain_gradient_magnitudes(target, weights, zs):
    gt = ground_truth.load("sigmoid_chain_gradients", weights=weights, pre_activations=zs)
    w, z = param_array(weights).tolist(), param_array(zs).tolist()
    call = f"chain_gradient_magnitudes(weights={weights}, pre_activations={zs})"
    got = target.depth.chain_gradient_magnitudes(w, z)
    check(got, gt, "g", call=call, what="the gradients g_0..g_L",
          hint="g_L = 1 and each earlier entry multiplies by w_l * sigmoid'(z_l).")
    expect_float64(got, call=call, what="the gradients")


@pytest.mark.points(1)
@pytest.mark.parametrize("fan_ins,variances,q0,relu", FORWARD_VARIANCES,
                         ids=["he-relu", "lecun-relu", "lecun-linear", "xavier-linear", "too-large-relu"])
def test_forward_variances(target, fan_ins, variances, q0, relu):
    gt = ground_truth.load("forward_variance_sequence", fan_ins=fan_ins, weight_variances=variances,
                           input_second_moment=q0, relu=relu)
    call = f"forward_variances({fan_ins}, {variances}, {q0}, relu={relu})"
    got = target.depth.forward_variances(list(fan_ins), param_array(variances).tolist(), float(param_array(q0)),
                                         relu=relu)
    check(got, gt, "var", call=call, what="the variances")
    expect_float64(got, call=call, what="the variances")
