"""Public tests for assignments/minibatch.py. Expected values are worked out by hand in the
comments; the batches are replayed from a fresh Generator with the same seed (the contract: one
rng.permutation(n) per epoch, cut into consecutive pieces)."""

import numpy as np
import pytest

from autograder.checks import expect_close, expect_equal


@pytest.mark.exercise("minibatch_sgd")
def test_minibatch_indices_replay_one_permutation(target):
    order = np.random.default_rng(7).permutation(5).tolist()
    got = target.minibatch.minibatch_indices(5, 2, np.random.default_rng(7))
    got = [np.asarray(b).tolist() for b in got]
    expect_equal(got, [order[0:2], order[2:4], order[4:5]], call="minibatch_indices(5, 2, default_rng(7))",
                 what="the batches",
                 hint="Call rng.permutation(n) once and cut it into pieces of batch_size; keep the last, smaller one.")


@pytest.mark.exercise("minibatch_sgd")
def test_minibatch_gradient_by_hand(target):
    # batch [0, 1] of X = [[1, 0], [0, 2], [1, 1]], y = [1, 2, 0] at w = 0: residuals [-1, -2],
    # X_B.T @ r = [-1, -4], divided by the batch size 2
    X, y = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), np.array([1.0, 2.0, 0.0])
    got = target.minibatch.minibatch_gradient(X, y, np.zeros(2), [0, 1])
    expect_close(got, [-0.5, -2.0], call="minibatch_gradient(X, y, w=[0, 0], batch=[0, 1])")


@pytest.mark.exercise("minibatch_sgd")
def test_minibatch_sgd_with_the_whole_set_is_gradient_descent(target):
    # X = diag(1, 2), y = [1, 2]: g = (diag(1, 4) w - [1, 4]) / 2; with eta = 0.5 each step maps
    # w1 -> 0.75 w1 + 0.25 and w2 -> 1: rows [0, 0], [0.25, 1], [0.4375, 1]
    X, y = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 2.0])
    traj = target.minibatch.minibatch_sgd(X, y, np.zeros(2), 0.5, 2, 2, np.random.default_rng(0))
    expect_close(traj, [[0.0, 0.0], [0.25, 1.0], [0.4375, 1.0]],
                 call="minibatch_sgd(X=diag(1, 2), y=[1, 2], w0=0, eta=0.5, batch_size=2, 2 epochs)",
                 what="the trajectory")
