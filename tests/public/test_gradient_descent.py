"""Public tests for assignments/gradient_descent.py.

Expected values are worked out by hand in the comments (closed forms on f(x) = x^2 and friends),
never by calling a reference implementation.
"""

import math

import numpy as np
import pytest

from autograder.checks import expect_close, expect_unchanged
from autograder.problems import Problem


#: Gradient of f(x) = x^2 (elementwise for arrays): x -> 2.0 * np.asarray(x, dtype=float).
#: A named problem (autograder/problems.py): called like a function here, and rebuilt inside the
#: grader's sandbox so your code calls it there without a round trip to the grader.
grad_square = Problem("grad", function="x^2")


@pytest.mark.exercise("gd")
@pytest.mark.points(2)
def test_gd_on_a_parabola(target):
    # On f(x) = x^2 each step multiplies x by (1 - 2 * eta) = 0.6, so x_k = 10 * 0.6**k.
    traj = target.gradient_descent.gd(grad_square, 10.0, 0.2, 10)
    expected = 10.0 * 0.6 ** np.arange(11)
    expect_close(traj, expected, call="gd(grad of x^2, x0=10, eta=0.2, 10 steps)",
                 what="the trajectory", plot="x^2")


@pytest.mark.exercise("gd")
def test_gd_in_two_dimensions_keeps_shape(target):
    # f(x) = x1^2 + x2^2: both coordinates shrink by 0.5 per step with eta = 0.25.
    x0 = np.array([4.0, -2.0])
    traj = target.gradient_descent.gd(grad_square, x0, 0.25, 3)
    expected = np.array([[4.0, -2.0], [2.0, -1.0], [1.0, -0.5], [0.5, -0.25]])
    expect_close(traj, expected, call="gd(grad of |x|^2, x0=[4, -2], eta=0.25, 3 steps)",
                 what="the trajectory", plot="x^2+y^2")
    expect_unchanged(np.array([4.0, -2.0]), x0, call="gd", name="x0")


@pytest.mark.exercise("lr_schedules")
def test_schedules(target):
    m = target.gradient_descent
    expect_close(m.constant_lr(7), 1.0, call="constant_lr(7)")
    expect_close(m.exponential_lr(10, rate=0.1), math.exp(-1.0), call="exponential_lr(10, rate=0.1)")
    expect_close(m.polynomial_lr(30, alpha=0.1, power=0.5), 0.5,
                 call="polynomial_lr(30, alpha=0.1, power=0.5)")


@pytest.mark.exercise("sgd")
@pytest.mark.points(2)
def test_sgd_without_noise_is_gd(target):
    traj = target.gradient_descent.sgd(grad_square, 10.0, 0.2, 5, np.random.default_rng(0),
                                       noise_std=0.0)
    expect_close(traj, 10.0 * 0.6 ** np.arange(6),
                 call="sgd(grad of x^2, x0=10, eta=0.2, 5 steps, noise_std=0)", what="the trajectory")


@pytest.mark.exercise("sgd")
def test_sgd_draws_noise_once_per_step(target):
    # With grad = 0 the iterates are x0 minus the running sum of eta * noise_t, drawn in order.
    draws = np.random.default_rng(42).normal(0.0, 0.5, size=4)
    expected = np.r_[1.0, 1.0 - 0.1 * np.cumsum(draws)]
    zero_grad = Problem("scale", c=0.0)   # x -> 0.0 * x
    traj = target.gradient_descent.sgd(zero_grad, 1.0, 0.1, 4, np.random.default_rng(42),
                                       noise_std=0.5)
    expect_close(traj, expected, call="sgd(grad = 0, x0=1, eta=0.1, 4 steps, rng seed 42, noise_std=0.5)",
                 what="the trajectory",
                 hint="Call rng.normal(0.0, noise_std, size=np.shape(x)) exactly once per step, before the update.")


@pytest.mark.exercise("momentum")
def test_momentum_step(target):
    x, v = target.gradient_descent.momentum_step(np.array([1.0]), np.array([0.5]),
                                                 np.array([2.0]), 0.1, 0.9)
    # v = 0.9 * 0.5 - 0.1 * 2 = 0.25; x = 1 + 0.25
    expect_close(v, [0.25], call="momentum_step(x=[1], v=[0.5], g=[2], eta=0.1, beta=0.9)",
                 what="v_new")
    expect_close(x, [1.25], call="momentum_step(x=[1], v=[0.5], g=[2], eta=0.1, beta=0.9)",
                 what="x_new")


@pytest.mark.exercise("nesterov")
def test_nesterov_looks_ahead(target):
    x, v = target.gradient_descent.nesterov_step(np.array([1.0]), np.array([0.5]), grad_square,
                                                 0.1, 0.9)
    # look-ahead 1 + 0.45 = 1.45, g = 2.9, v = 0.45 - 0.29 = 0.16, x = 1.16
    expect_close(v, [0.16], call="nesterov_step(x=[1], v=[0.5], grad of x^2, eta=0.1, beta=0.9)",
                 what="v_new")
    expect_close(x, [1.16], call="nesterov_step(x=[1], v=[0.5], grad of x^2, eta=0.1, beta=0.9)",
                 what="x_new")


@pytest.mark.exercise("adagrad")
def test_adagrad_first_step(target):
    x, s = target.gradient_descent.adagrad_step(np.array([1.0, 1.0]), np.zeros(2),
                                                np.array([2.0, -4.0]), 0.1, eps=0.0)
    # s = g^2 = [4, 16]; step = 0.1 * g / |g| = [0.1, -0.1]
    expect_close(s, [4.0, 16.0], call="adagrad_step(x=[1,1], s=0, g=[2,-4], eta=0.1, eps=0)", what="s_new")
    expect_close(x, [0.9, 1.1], call="adagrad_step(x=[1,1], s=0, g=[2,-4], eta=0.1, eps=0)", what="x_new")


@pytest.mark.exercise("rmsprop")
def test_rmsprop_first_step(target):
    x, s = target.gradient_descent.rmsprop_step(np.array([0.0]), np.array([0.0]), np.array([2.0]),
                                                0.1, gamma=0.9, eps=0.0)
    # s = 0.1 * 4 = 0.4; x = -0.1 * 2 / sqrt(0.4)
    expect_close(s, [0.4], call="rmsprop_step(x=0, s=0, g=2, eta=0.1, gamma=0.9, eps=0)", what="s_new")
    expect_close(x, [-0.2 / math.sqrt(0.4)], call="rmsprop_step(x=0, s=0, g=2, eta=0.1, gamma=0.9, eps=0)",
                 what="x_new")


@pytest.mark.exercise("adam")
def test_adam_first_step_has_length_eta(target):
    x, v, s = target.gradient_descent.adam_step(np.array([1.0, -1.0]), np.zeros(2), np.zeros(2), 1,
                                                np.array([0.5, -3.0]), 0.01, eps=0.0)
    # t = 1: v_hat = g and s_hat = g^2, so x moves by eta * sign(g).
    call = "adam_step(x=[1,-1], v=0, s=0, t=1, g=[0.5,-3], eta=0.01, eps=0)"
    expect_close(v, [0.05, -0.3], call=call, what="v_new")
    expect_close(s, [0.00025, 0.009], call=call, what="s_new")
    expect_close(x, [0.99, -0.99], call=call, what="x_new")


@pytest.mark.exercise("clipping")
def test_clip_by_norm(target):
    m = target.gradient_descent
    expect_close(m.clip_by_norm(np.array([3.0, 4.0]), 1.0), [0.6, 0.8],
                 call="clip_by_norm([3, 4], threshold=1)")
    expect_close(m.clip_by_norm(np.array([0.3, 0.4]), 1.0), [0.3, 0.4],
                 call="clip_by_norm([0.3, 0.4], threshold=1)",
                 hint="A gradient already shorter than the threshold is returned unchanged.")
    expect_close(m.clip_by_norm(np.zeros(3), 1.0), np.zeros(3), call="clip_by_norm(0, threshold=1)",
                 hint="A zero gradient must stay zero: do not divide by a zero norm.")
