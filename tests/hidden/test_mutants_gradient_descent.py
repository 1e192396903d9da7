"""Hidden tests that kill surviving mutants of solutions/gradient_descent.py.

Each test pins down a part of the contract the other suites left loose: default arguments, eps
on the right side of the root, noise drawn in the shape of x, schedules evaluated at t = 1, 2, ...,
bias correction at t > 1. Expected values are derived with sympy (the cases of ``MUTANT_CASES``
in autograder/ground_truth/cases.py; the comments show the arithmetic), and the noise is the
seeded draws the docstring prescribes (numpy's stream, which no derivation can replace), never
the output of the reference solution.
"""

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_close
from autograder.problems import Problem
from autograder.ground_truth.cases import MUTANT_CASES

pytestmark = pytest.mark.visibility("after_due_date")


def _case(key: str) -> ground_truth.GroundTruth:
    """The derived case of cases.MUTANT_CASES named ``key``."""
    name, params = MUTANT_CASES[key]
    return ground_truth.load(name, **params)


grad_square = Problem("grad", function="x^2")   # x -> 2.0 * np.asarray(x, dtype=float)


@pytest.mark.exercise("lr_schedules")
def test_schedule_defaults(target):
    m = target.gradient_descent
    # Defaults rate = 0.1, alpha = 0.1, power = 0.5: exp(-0.1 * 10) = e^-1, (1 + 3)^-0.5 = 1/2.
    exp_gt, poly_gt = _case("exponential_lr_default"), _case("polynomial_lr_default")
    expect_close(m.exponential_lr(10), exp_gt["values"][0], call="exponential_lr(10)",
                 **exp_gt.tol("values"), hint="The default decay rate is 0.1.")
    expect_close(m.polynomial_lr(30), poly_gt["values"][0], call="polynomial_lr(30)",
                 **poly_gt.tol("values"), hint="The defaults are alpha = 0.1 and power = 0.5.")
    expect_close(m.polynomial_lr(0), poly_gt["values"][1], call="polynomial_lr(0)", **poly_gt.tol("values"))


@pytest.mark.exercise("sgd")
def test_sgd_default_noise_is_standard_normal(target):
    # grad = 0, so x_t = 1 - 0.1 * (n_1 + ... + n_t) with n_t ~ N(0, 1) drawn in order (seed 3).
    draws = np.random.default_rng(3).normal(0.0, 1.0, size=3)
    traj = target.gradient_descent.sgd(Problem("scale", c=0.0), 1.0, 0.1, 3, np.random.default_rng(3))
    expect_close(traj, np.r_[1.0, 1.0 - 0.1 * np.cumsum(draws)],
                 call="sgd(grad = 0, x0=1, eta=0.1, 3 steps, seed 3, default noise_std)",
                 what="the trajectory", hint="The default noise_std is 1.0.")


@pytest.mark.exercise("sgd")
def test_sgd_noise_has_the_shape_of_x(target):
    # For x of shape (2,), each step draws rng.normal(0, 0.5, size=(2,)): one value per coordinate,
    # so three steps consume the same stream as one draw of shape (3, 2).
    draws = np.random.default_rng(5).normal(0.0, 0.5, size=(3, 2))
    x0 = np.array([1.0, -1.0])
    traj = target.gradient_descent.sgd(Problem("scale", c=0.0), x0, 0.1, 3, np.random.default_rng(5),
                                       noise_std=0.5)
    expect_close(traj, np.vstack([x0, x0 - 0.1 * np.cumsum(draws, axis=0)]),
                 call="sgd(grad = 0, x0=[1, -1], eta=0.1, 3 steps, seed 5, noise_std=0.5)",
                 what="the trajectory",
                 hint="Draw the noise with size=np.shape(x): each coordinate gets its own noise.")


@pytest.mark.exercise("sgd")
@pytest.mark.points(2)
def test_sgd_uses_the_schedule_from_t_equal_1(target):
    # No noise, f = x^2, eta = 0.25, schedule 0.5**t: x_t = x_{t-1} * (1 - 2 * 0.25 * 0.5**t)
    # = x_{t-1} * (1 - 0.5**(t+1)), so x = 1, 3/4, 21/32, 315/512 (all exact in binary).
    # With x0 = 1 and no noise the trajectory is sgd_affine's M_t (x_t = M_t x0).
    trajectory = lambda key: _case(key)["M"].ravel()  # noqa: E731
    traj = target.gradient_descent.sgd(grad_square, 1.0, 0.25, 3, np.random.default_rng(0),
                                       noise_std=0.0, lr_schedule=Problem("geometric_schedule", base=0.5))
    expect_close(traj, trajectory("sgd_geometric_schedule"),
                 call="sgd(grad of x^2, x0=1, eta=0.25, 3 steps, noise_std=0, lr_schedule=0.5**t)",
                 what="the trajectory")


@pytest.mark.exercise("adagrad")
def test_adagrad_eps_inside_the_root(target):
    # s_new = 0 + 2^2 = 4; sqrt(4 + 5) = 3, so x_new = 1 - 0.3 * 2 / 3 = 0.8.
    # (eps outside the root would give 1 - 0.6 / (2 + 5).)
    gt = _case("adagrad_eps_inside")
    x, s = target.gradient_descent.adagrad_step(np.array([1.0]), np.array([0.0]), np.array([2.0]),
                                                0.3, eps=5.0)
    call = "adagrad_step(x=[1], s=[0], g=[2], eta=0.3, eps=5)"
    expect_close(s, gt["s"], call=call, what="s_new", **gt.tol("s"))
    expect_close(x, gt["x"], call=call, what="x_new", **gt.tol("x"))


@pytest.mark.exercise("adagrad")
def test_adagrad_default_eps(target):
    # Default eps = 1e-6: x_new = 1 - 0.3 * 2 / sqrt(4 + 1e-6).
    gt = _case("adagrad_default_eps")
    x, _ = target.gradient_descent.adagrad_step(np.array([1.0]), np.array([0.0]), np.array([2.0]), 0.3)
    expect_close(x, gt["x"], call="adagrad_step(x=[1], s=[0], g=[2], eta=0.3)",
                 what="x_new", **gt.tol("x"), hint="The default eps is 1e-6.")


@pytest.mark.exercise("rmsprop")
def test_rmsprop_eps_inside_the_root(target):
    # gamma = 0.75: s_new = 0.25 * 2^2 = 1; sqrt(1 + 3) = 2, so x_new = 0 - 0.5 * 2 / 2 = -0.5.
    gt = _case("rmsprop_eps_inside")
    x, s = target.gradient_descent.rmsprop_step(np.array([0.0]), np.array([0.0]), np.array([2.0]),
                                                0.5, gamma=0.75, eps=3.0)
    call = "rmsprop_step(x=[0], s=[0], g=[2], eta=0.5, gamma=0.75, eps=3)"
    expect_close(s, gt["s"], call=call, what="s_new", **gt.tol("s"))
    expect_close(x, gt["x"], call=call, what="x_new", **gt.tol("x"))


@pytest.mark.exercise("rmsprop")
def test_rmsprop_defaults(target):
    # Defaults gamma = 0.9, eps = 1e-6: s_new = 0.1 * 4 = 0.4, x_new = -0.1 * 2 / sqrt(0.4 + 1e-6).
    gt = _case("rmsprop_defaults")
    x, s = target.gradient_descent.rmsprop_step(np.array([0.0]), np.array([0.0]), np.array([2.0]), 0.1)
    call = "rmsprop_step(x=[0], s=[0], g=[2], eta=0.1)"
    expect_close(s, gt["s"], call=call, what="s_new", **gt.tol("s"), hint="The default gamma is 0.9.")
    expect_close(x, gt["x"], call=call, what="x_new", **gt.tol("x"),
                 hint="The default eps is 1e-6.")


@pytest.mark.exercise("adam")
@pytest.mark.points(2)
def test_adam_bias_correction_at_step_two(target):
    # t = 2, beta1 = 1/2, beta2 = 3/4, v = s = 0, g = 1: v_new = 1/2, s_new = 1/4,
    # v_hat = (1/2) / (1 - 1/4) = 2/3, s_hat = (1/4) / (1 - 9/16) = 4/7,
    # x_new = 1 - 0.1 * (2/3) / sqrt(4/7) = 1 - 0.1 * sqrt(7) / 3.
    gt = _case("adam_bias_correction_at_two")
    x, v, s = target.gradient_descent.adam_step(np.array([1.0]), np.array([0.0]), np.array([0.0]), 2,
                                                np.array([1.0]), 0.1, beta1=0.5, beta2=0.75, eps=0.0)
    call = "adam_step(x=[1], v=[0], s=[0], t=2, g=[1], eta=0.1, beta1=0.5, beta2=0.75, eps=0)"
    expect_close(v, gt["v"], call=call, what="v_new", **gt.tol("v"))
    expect_close(s, gt["s"], call=call, what="s_new", **gt.tol("s"))
    expect_close(x, gt["x"], call=call, what="x_new", **gt.tol("x"),
                 hint="Bias correction divides by 1 - beta**t, with t the step number.")


@pytest.mark.exercise("adam")
def test_adam_eps_outside_the_root(target):
    # t = 1: v_hat = g = 1 and s_hat = g^2 = 1, so x_new = 1 - 0.1 * 1 / (sqrt(1) + 1) = 0.95
    # (eps inside the root would give 1 - 0.1 / sqrt(2)).
    gt = _case("adam_eps_outside")
    x, _, _ = target.gradient_descent.adam_step(np.array([1.0]), np.array([0.0]), np.array([0.0]), 1,
                                                np.array([1.0]), 0.1, eps=1.0)
    expect_close(x, gt["x"], call="adam_step(x=[1], v=0, s=0, t=1, g=[1], eta=0.1, eps=1)",
                 what="x_new", **gt.tol("x"))


@pytest.mark.exercise("adam")
def test_adam_default_eps(target):
    # t = 1, default eps = 1e-6: x_new = 1 - 0.01 * 0.5 / (0.5 + 1e-6).
    gt = _case("adam_default_eps")
    x, _, _ = target.gradient_descent.adam_step(np.array([1.0]), np.array([0.0]), np.array([0.0]), 1,
                                                np.array([0.5]), 0.01)
    expect_close(x, gt["x"], call="adam_step(x=[1], v=0, s=0, t=1, g=[0.5], eta=0.01)",
                 what="x_new", **gt.tol("x"), hint="The default eps is 1e-6, the defaults of beta1/beta2 0.9/0.999.")
