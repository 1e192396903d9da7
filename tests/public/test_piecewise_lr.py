"""Public tests for piecewise_constant_lr (assignments/gradient_descent.py).

Expected values are read off the definition by hand in the comments, never computed by a
reference implementation.
"""

import numpy as np
import pytest

from autograder.checks import expect_close
from autograder.problems import Problem

grad_square = Problem("grad", function="x^2")   # x -> 2x


@pytest.mark.exercise("piecewise_lr")
def test_piecewise_constant_lr_defaults(target):
    m = target.gradient_descent
    # boundaries (10, 20), values (1, 0.5, 0.1): steps 1-10 -> 1, 11-20 -> 0.5, 21 on -> 0.1
    got = [m.piecewise_constant_lr(t) for t in (1, 10, 11, 20, 21, 1000)]
    expect_close(got, [1.0, 1.0, 0.5, 0.5, 0.1, 0.1],
                 call="[piecewise_constant_lr(t) for t in (1, 10, 11, 20, 21, 1000)]")


@pytest.mark.exercise("piecewise_lr")
def test_piecewise_constant_lr_other_boundaries(target):
    m = target.gradient_descent
    # boundaries [2, 3]: step 1-2 -> 0.8, step 3 -> 0.4, step 4 on -> 0.2
    got = [m.piecewise_constant_lr(t, boundaries=[2, 3], values=[0.8, 0.4, 0.2]) for t in (1, 2, 3, 4, 6)]
    expect_close(got, [0.8, 0.8, 0.4, 0.2, 0.2],
                 call="[piecewise_constant_lr(t, boundaries=[2, 3], values=[0.8, 0.4, 0.2]) for t in 1, 2, 3, 4, 6]")


@pytest.mark.exercise("sgd")
def test_sgd_follows_a_piecewise_schedule(target):
    # Without noise, on x^2 each step multiplies x by 1 - 2 * eta_t: eta_t = 0.25 for steps 1-2
    # (factor 0.5) and 0.125 for steps 3-4 (factor 0.75). This schedule is what
    # functools.partial(piecewise_constant_lr, boundaries=[2], values=[1.0, 0.5]) computes.
    def schedule(t):
        return 1.0 if t <= 2 else 0.5
    traj = target.gradient_descent.sgd(grad_square, 8.0, 0.25, 4, np.random.default_rng(0),
                                       noise_std=0.0, lr_schedule=schedule)
    expect_close(traj, [8.0, 4.0, 2.0, 1.5, 1.125],
                 call="sgd(grad of x^2, x0=8, eta=0.25, 4 steps, noise_std=0, "
                      "lr_schedule = 1 for t <= 2 else 0.5)", what="the trajectory")
