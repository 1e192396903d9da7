"""Public tests for adadelta_step and nadam_step (assignments/gradient_descent.py).

Each expected value is worked out by hand in the comments from the docstrings' formulas.
"""

import math

import numpy as np
import pytest

from autograder.checks import expect_close


@pytest.mark.exercise("adadelta")
def test_adadelta_first_step(target):
    # s_new = 0.5 * 0 + 0.5 * 4 = 2; update = sqrt(0 + 1) / sqrt(2 + 1) * 2 = 2 / sqrt(3);
    # delta_new = 0.5 * 0 + 0.5 * (4 / 3) = 2 / 3
    x, s, delta = target.gradient_descent.adadelta_step(1.0, 0.0, 0.0, 2.0, rho=0.5, eps=1.0)
    call = "adadelta_step(x=1, s=0, delta=0, g=2, rho=0.5, eps=1)"
    expect_close(s, 2.0, call=call, what="s_new")
    expect_close(x, 1.0 - 2.0 / math.sqrt(3.0), call=call, what="x_new")
    expect_close(delta, 2.0 / 3.0, call=call, what="delta_new")


@pytest.mark.exercise("nadam")
def test_nadam_first_step(target):
    # t = 1 from zero moments: v_new = 0.1 g, s_new = 0.001 g^2, so v_hat = g and s_hat = g^2;
    # direction = 0.9 g + 0.1 g / 0.1 = 1.9 g, and x moves by eta * 1.9 * sign(g) = 0.019.
    x, v, s = target.gradient_descent.nadam_step(np.array([1.0, -1.0]), np.zeros(2), np.zeros(2), 1,
                                                 np.array([0.5, -3.0]), 0.01, eps=0.0)
    call = "nadam_step(x=[1,-1], v=0, s=0, t=1, g=[0.5,-3], eta=0.01, eps=0)"
    expect_close(v, [0.05, -0.3], call=call, what="v_new")
    expect_close(s, [0.00025, 0.009], call=call, what="s_new")
    expect_close(x, [0.981, -0.981], call=call, what="x_new",
                 hint="At t = 1 the current gradient counts twice, inside v_hat and on its own: "
                      "the direction is 1.9 g, not g as in Adam.")
