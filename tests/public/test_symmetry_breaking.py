"""Public tests for assignments/symmetry_breaking.py. Expected values are worked out by hand."""

import numpy as np
import pytest

from autograder.checks import expect_close


@pytest.mark.exercise("symmetry_breaking")
def test_two_layer_gradients_by_hand(target):
    # H = tanh(0) = 0, out = 0, R = (0 - 1) / 1 = -1: dW2 = H.T @ R = 0 and
    # dW1 = X.T @ (R @ W2.T * (1 - 0)) = [[1], [0]] @ [[-1, -1]]
    dW1, dW2 = target.symmetry_breaking.two_layer_gradients(
        np.array([[1.0, 0.0]]), np.array([[1.0]]), np.zeros((2, 2)), np.ones((2, 1)))
    call = "two_layer_gradients(X=[[1, 0]], y=[[1]], W1=0, W2=[[1], [1]])"
    expect_close(dW2, [[0.0], [0.0]], call=call, what="dW2")
    expect_close(dW1, [[-1.0, -1.0], [0.0, 0.0]], call=call, what="dW1",
                 hint="Both hidden units have the same weights, so they get the same gradient column.")


@pytest.mark.exercise("symmetry_breaking")
def test_two_layer_gradients_average_over_the_batch(target):
    # two copies of the same example: the mean is the same as for one, the sum twice as large
    dW1, dW2 = target.symmetry_breaking.two_layer_gradients(
        np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([[1.0], [1.0]]), np.zeros((2, 2)), np.ones((2, 1)))
    expect_close(dW1, [[-1.0, -1.0], [0.0, 0.0]], call="two_layer_gradients(X=[[1, 0], [1, 0]], y=[[1], [1]], "
                 "W1=0, W2=[[1], [1]])", what="dW1")


@pytest.mark.exercise("symmetry_breaking")
def test_zero_initialisation_never_moves(target):
    X, y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([[1.0], [-2.0]])
    W1, W2 = target.symmetry_breaking.train_two_layer(X, y, np.zeros((2, 3)), np.zeros((3, 1)), 0.5, 10)
    call = "train_two_layer(X, y, W1=0, W2=0, eta=0.5, 10 steps)"
    # H = tanh(0) = 0 makes dW2 = 0, and W2 = 0 makes dW1 = 0: nothing ever moves
    expect_close(W1, np.zeros((2, 3)), call=call, what="W1")
    expect_close(W2, np.zeros((3, 1)), call=call, what="W2")
