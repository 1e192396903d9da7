"""Public tests for assignments/normalization.py.

Expected values are worked out by hand in the comments (small batches with whole-number
statistics), never by calling a reference implementation.
"""


import numpy as np
import pytest

from autograder.checks import expect_close, expect_unchanged


@pytest.mark.exercise("batchnorm")
@pytest.mark.points(2)
def test_batchnorm_forward_by_hand(target):
    # Columns [1, 3] and [2, 6]: means [2, 4], biased variances [1, 4], standard deviations
    # [1, 2], so x_hat = [[-1, -1], [1, 1]] and out = gamma * x_hat + beta.
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    gamma = np.array([2.0, 0.5])
    beta = np.array([0.0, 1.0])
    out = target.normalization.batchnorm_forward(x, gamma, beta, eps=0.0)
    expect_close(out, [[-2.0, 0.5], [2.0, 1.5]],
                 call="batchnorm_forward(x=[[1, 2], [3, 6]], gamma=[2, 0.5], beta=[0, 1], eps=0)",
                 atol=1e-12)
    call = "batchnorm_forward"
    expect_unchanged(np.array([[1.0, 2.0], [3.0, 6.0]]), x, call=call, name="x")
    expect_unchanged(np.array([2.0, 0.5]), gamma, call=call, name="gamma")
    expect_unchanged(np.array([0.0, 1.0]), beta, call=call, name="beta")


@pytest.mark.exercise("batchnorm")
def test_batchnorm_forward_uses_eps_inside_the_root(target):
    # One feature, batch [0, 0, 4, 4]: mean 2, biased variance 4, so with eps = 5 the
    # normalised values are +-2 / sqrt(4 + 5) = +-2/3. gamma = 3, beta = -1: out = -1 +- 2.
    x = np.array([[0.0], [0.0], [4.0], [4.0]])
    out = target.normalization.batchnorm_forward(x, np.array([3.0]), np.array([-1.0]), eps=5.0)
    expect_close(out, [[-3.0], [-3.0], [1.0], [1.0]],
                 call="batchnorm_forward(x=[[0], [0], [4], [4]], gamma=[3], beta=[-1], eps=5)",
                 atol=1e-12,
                 hint="Divide by sqrt(var + eps), with the biased variance (divide by N).")


@pytest.mark.exercise("batchnorm")
def test_batchnorm_inference_uses_running_statistics(target):
    # (x - running_mean) / sqrt(running_var): [[1/2, 1/0.5], [3/2, -1/0.5]] = [[0.5, 2], [1.5, -2]];
    # times gamma [2, 1] plus beta [1, -1] gives [[2, 1], [4, -3]].
    x = np.array([[1.0, 2.0], [3.0, 0.0]])
    running_mean = np.array([0.0, 1.0])
    running_var = np.array([4.0, 0.25])
    out = target.normalization.batchnorm_inference(x, np.array([2.0, 1.0]), np.array([1.0, -1.0]),
                                                   running_mean, running_var, eps=0.0)
    expect_close(out, [[2.0, 1.0], [4.0, -3.0]],
                 call="batchnorm_inference(x=[[1, 2], [3, 0]], gamma=[2, 1], beta=[1, -1], "
                      "running_mean=[0, 1], running_var=[4, 0.25], eps=0)",
                 atol=1e-12)
    call = "batchnorm_inference"
    expect_unchanged(np.array([0.0, 1.0]), running_mean, call=call, name="running_mean")
    expect_unchanged(np.array([4.0, 0.25]), running_var, call=call, name="running_var")
