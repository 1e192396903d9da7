"""Public tests for batchnorm_backward and update_running_stats (assignments/normalization.py).

Expected values are worked out by hand in the comments, never by a reference implementation.
"""

import math

import numpy as np
import pytest

from autograder.checks import expect_close, expect_unchanged


@pytest.mark.exercise("batchnorm_backward")
def test_batchnorm_backward_by_hand(target):
    # x = [0, 1, 2]: mean 1, biased variance 2/3, std sqrt(2/3), x_hat = sqrt(3/2) * [-1, 0, 1].
    # dbeta = sum(dout) = 1; dgamma = sum(dout * x_hat) = -sqrt(3/2);
    # dx = 1 / (3 std) * (3 dout - 1 + sqrt(3/2) x_hat) = [0.5, -1, 0.5] / sqrt(6)
    x, dout, gamma = np.array([[0.0], [1.0], [2.0]]), np.array([[1.0], [0.0], [0.0]]), np.array([1.0])
    saved = x.copy(), dout.copy()
    call = "batchnorm_backward(dout=[[1], [0], [0]], x=[[0], [1], [2]], gamma=[1], eps=0)"
    dx, dgamma, dbeta = target.normalization.batchnorm_backward(dout, x, gamma, eps=0.0)
    expect_close(dbeta, [1.0], call=call, what="dbeta")
    expect_close(dgamma, [-math.sqrt(1.5)], call=call, what="dgamma")
    expect_close(dx, np.array([[0.5], [-1.0], [0.5]]) / math.sqrt(6.0), call=call, what="dx",
                 hint="Each column of dx sums to zero: shifting a whole column changes nothing after normalisation.")
    expect_unchanged(saved[0], x, call=call, name="x")
    expect_unchanged(saved[1], dout, call=call, name="dout")


@pytest.mark.exercise("batchnorm_running_stats")
def test_update_running_stats_by_hand(target):
    # the batch [1, 5] has mean 3 and biased variance 4 (standard deviation 2, unbiased variance 8):
    # new_mean = 0.9 * 0 + 0.1 * 3 = 0.3 and new_var = 0.9 * 1 + 0.1 * 4 = 1.3
    mean, var = target.normalization.update_running_stats(np.array([0.0]), np.array([1.0]),
                                                          np.array([[1.0], [5.0]]), momentum=0.9)
    call = "update_running_stats(running_mean=[0], running_var=[1], x=[[1], [5]], momentum=0.9)"
    expect_close(mean, [0.3], call=call, what="new_mean")
    expect_close(var, [1.3], call=call, what="new_var")
