"""Public tests for least_squares_gradient_and_hessian and newton_method
(assignments/second_order.py). Expected values are worked out by hand in the comments."""

import numpy as np
import pytest

from autograder.checks import expect_close, expect_unchanged


def grad_quadratic(w):          # f = x^2 + 2 y^2
    return np.array([2.0 * w[0], 4.0 * w[1]])


def hess_quadratic(w):
    return np.array([[2.0, 0.0], [0.0, 4.0]])


@pytest.mark.exercise("newton_method")
def test_least_squares_gradient_and_hessian_by_hand(target):
    # r = X w - y = [-1, -3]; g = X^T r / 2 = [-4, -6] / 2; H = X^T X / 2 = [[2, 2], [2, 4]] / 2
    X, y, w = np.array([[1.0, 0.0], [1.0, 2.0]]), np.array([1.0, 3.0]), np.zeros(2)
    saved = X.copy(), y.copy()
    call = "least_squares_gradient_and_hessian(X=[[1, 0], [1, 2]], y=[1, 3], w=[0, 0])"
    g, H = target.second_order.least_squares_gradient_and_hessian(X, y, w)
    expect_close(g, [-2.0, -3.0], call=call, what="g")
    expect_close(H, [[1.0, 1.0], [1.0, 2.0]], call=call, what="H")
    expect_unchanged(saved[0], X, call=call, name="X")
    expect_unchanged(saved[1], y, call=call, name="y")


@pytest.mark.exercise("newton_method")
def test_newton_method_stops_at_the_minimum_of_a_quadratic(target):
    # diag(2, 4) d = [2, 4] gives d = [1, 1]: w1 = [0, 0], where the gradient is 0 and the loop stops.
    traj = target.second_order.newton_method(grad_quadratic, hess_quadratic, np.array([1.0, 1.0]), 3)
    expect_close(traj, [[1.0, 1.0], [0.0, 0.0]], call="newton_method(grad and hess of x^2 + 2y^2, w0=[1, 1], max_steps=3)",
                 what="the trajectory", plot="x1^2+2*x2^2")


@pytest.mark.exercise("newton_method")
def test_newton_method_with_damping(target):
    # diag(2 + 2, 4 + 2) d = [2x, 4y]: d = [x/2, 2y/3], so each step halves x and divides y by 3.
    traj = target.second_order.newton_method(grad_quadratic, hess_quadratic, np.array([1.0, 1.0]), 2, damping=2.0)
    expect_close(traj, [[1.0, 1.0], [0.5, 1.0 / 3.0], [0.25, 1.0 / 9.0]],
                 call="newton_method(grad and hess of x^2 + 2y^2, w0=[1, 1], max_steps=2, damping=2)",
                 what="the trajectory", plot="x1^2+2*x2^2")
