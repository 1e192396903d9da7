"""The hidden Newton tests' float64 gradients and Hessians are those of the sympy functions their
ground truth was derived from (a typo there would grade every submission against the wrong
function)."""

import numpy as np
import pytest
import sympy as sp

from autograder.ground_truth.derivations.newton_method import FUNCTIONS, X, Y

from tests.hidden.newton_functions import NEWTON_FUNCTIONS

POINTS = [(0.25, 1.0), (-1.5, 0.5), (2.0, -3.0), (0.0, 0.0)]


def test_every_function_has_float_derivatives():
    assert set(NEWTON_FUNCTIONS) == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_float_derivatives_match_sympy(name):
    f = FUNCTIONS[name]
    grad = sp.lambdify((X, Y), [sp.diff(f, X), sp.diff(f, Y)])
    hess = sp.lambdify((X, Y), sp.hessian(f, (X, Y)).tolist())
    g_float, h_float = NEWTON_FUNCTIONS[name]
    for p in POINTS:
        np.testing.assert_allclose(g_float(np.array(p)), grad(*p), rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(h_float(np.array(p)), hess(*p), rtol=1e-15, atol=1e-15)
