"""Public tests for assignments/activations.py.

Expected values are worked out by hand in the comments (at x = ln 3, sigmoid = 3/4 and
tanh = 4/5), never by calling a reference implementation.
"""

import math

import numpy as np
import pytest

from autograder.checks import expect_close, expect_unchanged
from autograder.feedback import Failure

LN2, LN3 = math.log(2.0), math.log(3.0)


def call_without_overflow(func, x, *, call):
    """Call ``func(x)`` with numpy's overflow, division and invalid-value warnings made errors.

    Underflow stays allowed: exp(-1000) quietly becoming 0.0 is the right answer in float64.
    """
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return func(x)
    except FloatingPointError as exc:
        raise Failure(f"{call} hit a floating-point error: {exc}",
                      hint="Never evaluate exp (or cosh) of a large positive number: exp(1000) "
                           "overflows. For the sigmoid, split on the sign of x so that exp only "
                           "sees -|x|; for tanh' use np.tanh, which is safe.") from None


@pytest.mark.exercise("activations")
@pytest.mark.points(2)
def test_sigmoid_and_its_gradient(target):
    m = target.activations
    x = np.array([0.0, LN3, -LN3])
    # s(ln 3) = 1 / (1 + 1/3) = 3/4 and s(-x) = 1 - s(x)
    expect_close(m.sigmoid(x), [0.5, 0.75, 0.25], call="sigmoid([0, ln 3, -ln 3])")
    # s' = s (1 - s): 1/4, 3/16, 3/16
    expect_close(m.sigmoid_grad(x), [0.25, 0.1875, 0.1875], call="sigmoid_grad([0, ln 3, -ln 3])")
    expect_unchanged(np.array([0.0, LN3, -LN3]), x, call="sigmoid / sigmoid_grad", name="x")


@pytest.mark.exercise("activations")
def test_tanh_and_relu_gradients(target):
    m = target.activations
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6 and tanh(ln 3) = 0.8: 1 - tanh^2 = 0.64, 0.36.
    expect_close(m.tanh_grad(np.array([0.0, LN2, -LN3])), [1.0, 0.64, 0.36],
                 call="tanh_grad([0, ln 2, -ln 3])")
    # relu'(0) = 0 by convention
    expect_close(m.relu_grad(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 1.0],
                 call="relu_grad([-2, 0, 3])")


@pytest.mark.exercise("activations")
def test_activations_keep_the_shape(target):
    m = target.activations
    # A scalar gives a scalar (shape ()), a matrix a matrix of the same shape.
    expect_close(m.sigmoid(0.0), 0.5, call="sigmoid(0.0)",
                 hint="A scalar input gives a scalar result (shape ()), not an array of shape (1,).")
    expect_close(m.relu_grad(0.0), 0.0, call="relu_grad(0.0)")
    x = np.array([[0.0, LN3], [-LN3, 0.0]])
    expect_close(m.sigmoid(x), [[0.5, 0.75], [0.25, 0.5]], call="sigmoid of a 2x2 matrix")
    expect_close(m.tanh_grad(x), [[1.0, 0.36], [0.36, 1.0]], call="tanh_grad of a 2x2 matrix")


@pytest.mark.exercise("activations")
@pytest.mark.points(2)
def test_activations_do_not_overflow(target):
    m = target.activations
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    tail = math.exp(-50.0) / (1.0 + math.exp(-50.0))   # s(-50) ~ 1.93e-22
    # Exact values below 1e-300 (such as exp(-1000)) are 0.0 in float64. atol=1e-15 accepts
    # s(1 - s), which rounds the tiny tails to 0: this test is about overflow, not tail accuracy.
    cases = [
        ("sigmoid", m.sigmoid, [0.0, tail, 0.5, 1.0, 1.0]),
        ("sigmoid_grad", m.sigmoid_grad, [0.0, tail, 0.25, tail, 0.0]),
        ("tanh_grad", m.tanh_grad, [0.0, 0.0, 1.0, 0.0, 0.0]),
        ("relu_grad", m.relu_grad, [0.0, 0.0, 0.0, 1.0, 1.0]),
    ]
    for name, func, expected in cases:
        call = f"{name}([-1000, -50, 0, 50, 1000])"
        expect_close(call_without_overflow(func, x, call=call), expected, call=call, atol=1e-15)
