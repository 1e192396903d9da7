"""Public tests for assignments/dropout.py.

The mask's contract is one draw, ``(rng.random(shape) < keep_prob).astype(float)``, so a fresh
generator with the same seed reproduces it; every other expected value is worked out by hand.
"""

from fractions import Fraction

import numpy as np
import pytest

from autograder.checks import expect_close, expect_unchanged
from autograder.feedback import Failure


def expected_mask(seed, shape, keep_prob):
    return (np.random.default_rng(seed).random(shape) < keep_prob).astype(float)


@pytest.mark.exercise("dropout")
def test_keep_probability(target):
    m = target.dropout
    # 70 of 120 dropped: 50 kept, p = 50/120 = 5/12 (the drop probability is 7/12).
    expect_close(m.keep_probability(70, 120), float(Fraction(5, 12)), call="keep_probability(70, 120)")
    expect_close(m.keep_probability(0, 10), 1.0, call="keep_probability(0, 10)",
                 hint="Dropping no unit keeps every unit: p = 1.")


@pytest.mark.exercise("dropout")
def test_dropout_mask(target):
    m = target.dropout
    mask = m.dropout_mask((4, 5), 0.3, np.random.default_rng(7))
    expect_close(mask, expected_mask(7, (4, 5), 0.3), call="dropout_mask((4, 5), keep_prob=0.3, rng seed 7)",
                 what="the mask",
                 hint="Draw once with rng.random(shape) and keep the entries whose number is < keep_prob.")
    # keep_prob = 1 keeps every entry, keep_prob = 0 keeps none.
    expect_close(m.dropout_mask((2, 3), 1.0, np.random.default_rng(0)), np.ones((2, 3)),
                 call="dropout_mask((2, 3), keep_prob=1, rng seed 0)", what="the mask")
    expect_close(m.dropout_mask((2, 3), 0.0, np.random.default_rng(0)), np.zeros((2, 3)),
                 call="dropout_mask((2, 3), keep_prob=0, rng seed 0)", what="the mask")


@pytest.mark.exercise("dropout")
@pytest.mark.points(2)
def test_dropout_forward_in_training(target):
    m = target.dropout
    x = np.arange(1.0, 13.0).reshape(3, 4)
    mask = expected_mask(11, (3, 4), 0.4)
    call = "dropout_forward(x = [[1..4], [5..8], [9..12]], keep_prob=0.4, rng seed 11, training=True, inverted=True)"
    out = m.dropout_forward(x, 0.4, np.random.default_rng(11), training=True, inverted=True)
    expect_close(out, x * mask / 0.4, call=call, what="the output",
                 hint="Inverted dropout: x * mask / keep_prob, with mask = dropout_mask(np.shape(x), keep_prob, rng).")
    expect_unchanged(np.arange(1.0, 13.0).reshape(3, 4), x, call="dropout_forward", name="x")
    call = call.replace("inverted=True", "inverted=False")
    out = m.dropout_forward(x, 0.4, np.random.default_rng(11), training=True, inverted=False)
    expect_close(out, x * mask, call=call, what="the output")
    # E[x * mask / p] = x: over 20000 units of value 1 with p = 0.5, each output is 0 or 2
    # (mean 1, standard deviation 1), so the average is within 0.03 of 1 (4 standard errors).
    out = m.dropout_forward(np.ones(20000), 0.5, np.random.default_rng(5), training=True, inverted=True)
    expect_close(np.mean(out), 1.0, atol=0.03,
                 call="dropout_forward(20000 ones, keep_prob=0.5, rng seed 5, training=True, inverted=True)",
                 what="the mean of the output",
                 hint="Inverted dropout keeps the expected output equal to x: divide the kept units by keep_prob.")


@pytest.mark.exercise("dropout")
@pytest.mark.points(2)
def test_dropout_forward_at_test_time(target):
    m = target.dropout
    x = np.array([2.0, 4.0, 6.0])
    # Inverted: the identity. Standard: the training expectation p * x = [1, 2, 3] for p = 1/2.
    out = m.dropout_forward(x, 0.5, np.random.default_rng(0), training=False, inverted=True)
    expect_close(out, [2.0, 4.0, 6.0],
                 call="dropout_forward(x=[2, 4, 6], keep_prob=0.5, training=False, inverted=True)",
                 what="the output",
                 hint="At test time inverted dropout does nothing: return a copy of x, no random mask.")
    if isinstance(out, np.ndarray) and np.shares_memory(out, x):
        raise Failure("dropout_forward(x, training=False, inverted=True) returned x itself, not a copy",
                      hint="Return x.copy(): a caller that changes the output must not change x.")
    out = m.dropout_forward(x, 0.5, np.random.default_rng(0), training=False, inverted=False)
    expect_close(out, [1.0, 2.0, 3.0],
                 call="dropout_forward(x=[2, 4, 6], keep_prob=0.5, training=False, inverted=False)",
                 what="the output",
                 hint="At test time standard dropout multiplies by keep_prob, so the output matches the training average.")
    expect_unchanged(np.array([2.0, 4.0, 6.0]), x, call="dropout_forward", name="x")
