"""Public tests for assignments/saddles.py. Expected values are worked out by hand in the comments."""

import math

import numpy as np
import pytest

from autograder.checks import expect_close, expect_equal

H = np.array([[2.0, 0.0], [0.0, -1.0]])     # f = x^2 - y^2 / 2: a saddle at 0


@pytest.mark.exercise("saddles")
def test_saddle_escape_factor(target):
    # 1 - 0.1 * (-1) = 1.1
    expect_close(target.saddles.saddle_escape_factor(H.copy(), 0.1), 1.1,
                 call="saddle_escape_factor(diag(2, -1), eta=0.1)")


@pytest.mark.exercise("saddles")
def test_steps_to_escape(target):
    m = target.saddles
    # log(1000) / log(1.1) = 72.48: 73 steps
    expect_close(m.steps_to_escape(H.copy(), 0.1, 0.001, 1.0), 73,
                 call="steps_to_escape(diag(2, -1), eta=0.1, offset=0.001, radius=1)")
    expect_equal(m.steps_to_escape(H.copy(), 0.1, 0.0, 1.0), math.inf,
                 call="steps_to_escape(diag(2, -1), eta=0.1, offset=0, radius=1)",
                 hint="Started on the stable directions, gradient descent never leaves the saddle: return math.inf.")
