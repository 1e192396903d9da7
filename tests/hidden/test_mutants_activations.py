"""Hidden tests that kill surviving mutants of solutions/activations.py.

The public tests probe 0, +-ln 3 and +-1000; these probe the interval (0, 1), where a branch
boundary moved from 0 to 1 would pick the wrong formula. Expected values are closed forms.
"""

import math

import numpy as np
import pytest

from autograder.checks import expect_close

pytestmark = pytest.mark.visibility("after_due_date")


@pytest.mark.exercise("activations")
def test_sigmoid_between_zero_and_one(target):
    # s(1/2) = 1 / (1 + e^-1/2) and s(-1/2) = 1 - s(1/2).
    s = 1.0 / (1.0 + math.exp(-0.5))
    expect_close(target.activations.sigmoid(np.array([0.5, -0.5])), [s, 1.0 - s],
                 call="sigmoid([0.5, -0.5])", rtol=1e-12)


@pytest.mark.exercise("activations")
def test_relu_grad_between_zero_and_one(target):
    # relu'(x) = 1 for every x > 0, however small.
    expect_close(target.activations.relu_grad(np.array([0.5, 1e-300, -0.5])), [1.0, 1.0, 0.0],
                 call="relu_grad([0.5, 1e-300, -0.5])", atol=0.0, rtol=0.0)
