"""Hidden tests for activations: values at points from -1000 to 1000 (sympy's diff at 50 digits),
any shape, scalars, no overflow warnings, inputs untouched."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged
from autograder.ground_truth import cases

from .support import Failure, check, expect_float64, param_array

POINTS = cases.ACTIVATION_POINTS


def _quietly(fn, x, call):
    """Call fn(x) turning every floating-point warning into a Failure that says which one."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            try:
                return fn(x)
            except (FloatingPointError, RuntimeWarning, OverflowError) as exc:
                raise Failure(f"{call} overflowed or warned: {exc}",
                              hint="Never take exp of a large positive number: split on the sign of x so "
                                   "exp only sees -|x|.") from None


@pytest.mark.exercise("activations")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", ["sigmoid", "sigmoid_grad", "tanh_grad", "relu_grad"])
@pytest.mark.parametrize("shape", [(12,), (3, 4), (2, 3, 2)], ids=["vector", "matrix", "3d"])
def test_activation_values_without_warnings(target, name, shape):
    gt = ground_truth.load("activation_values", points=POINTS)
    x = param_array(POINTS).reshape(shape)
    saved = x.copy()
    call = f"{name}(x) for x = {np.round(x.ravel(), 3).tolist()} reshaped to {shape}"
    got = _quietly(getattr(target.activations, name), x, call)
    check(got, gt, name, call=call, expected=gt[name].reshape(shape))
    expect_float64(got, call=call)
    expect_unchanged(saved, x, call=call, name="x")


@pytest.mark.exercise("activations")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", ["sigmoid", "sigmoid_grad", "tanh_grad", "relu_grad"])
def test_activation_of_a_scalar(target, name):
    gt = ground_truth.load("activation_values", points=POINTS)
    for i in (0, 5, 6, 11):          # -1000, 0, 1/3, 1000
        z = float(param_array(POINTS[i]))
        call = f"{name}({z:g})"
        got = _quietly(getattr(target.activations, name), z, call)
        if np.ndim(got) != 0:
            raise Failure(f"{call} should return a single number for a scalar input, got shape {np.shape(got)}",
                          hint="np.asarray(x) keeps a scalar 0-dimensional; do not wrap it in a list.")
        check(got, gt, name, call=call, expected=gt[name][i])
