"""Public tests for assignments/depth.py. Expected values are worked out by hand in the comments."""

import pytest

from autograder.checks import expect_close


@pytest.mark.exercise("depth")
def test_chain_gradient_magnitudes_by_hand(target):
    # sigmoid'(0) = 1/4: g_2 = 1, g_1 = 1 * 2 * 1/4 = 0.5, g_0 = 0.5 * 1 * 1/4 = 0.125
    got = target.depth.chain_gradient_magnitudes([1.0, 2.0], [0.0, 0.0])
    expect_close(got, [0.125, 0.5, 1.0], call="chain_gradient_magnitudes(weights=[1, 2], pre_activations=[0, 0])")


@pytest.mark.exercise("depth")
def test_forward_variances_he_and_lecun(target):
    # He with ReLUs: 100 * 0.02 * 1 = 2, then 50 * 0.04 * (2 / 2) = 2
    got = target.depth.forward_variances([100, 50], [0.02, 0.04], 1.0, relu=True)
    expect_close(got, [2.0, 2.0], call="forward_variances([100, 50], [0.02, 0.04], 1, relu=True)")
    # LeCun, linear: 4 * 0.25 * 3 = 3, then 8 * 0.125 * 3 = 3
    got = target.depth.forward_variances([4, 8], [0.25, 0.125], 3.0)
    expect_close(got, [3.0, 3.0], call="forward_variances([4, 8], [0.25, 0.125], 3)")
