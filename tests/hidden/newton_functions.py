"""Float64 gradients and Hessians of the functions the hidden Newton tests run on, by the names of
autograder/ground_truth/derivations/newton_method.py (tests/engine/test_newton_method_functions.py
checks them against sympy's derivatives). They stay plain functions: the grader answers the
submission's calls to them."""

from __future__ import annotations

import numpy as np


def _grad_quadratic(w):
    return np.array([2.0 * w[0], 4.0 * w[1]])


def _hess_quadratic(w):
    return np.array([[2.0, 0.0], [0.0, 4.0]])


def _grad_coupled(w):
    return np.array([2.0 * w[0] + w[1] - 1.0, w[0] + 2.0 * w[1]])


def _hess_coupled(w):
    return np.array([[2.0, 1.0], [1.0, 2.0]])


def _grad_double_well(sign):
    return lambda w: np.array([w[0] ** 3 - w[0], sign * w[1]])


def _hess_double_well(sign):
    return lambda w: np.array([[3.0 * w[0] ** 2 - 1.0, 0.0], [0.0, sign * 1.0]])


#: name -> (grad, hess)
NEWTON_FUNCTIONS = {
    "x^2+2*y^2": (_grad_quadratic, _hess_quadratic),
    "x^2+x*y+y^2-x": (_grad_coupled, _hess_coupled),
    "x^4/4-x^2/2+y^2/2": (_grad_double_well(1.0), _hess_double_well(1.0)),
    "x^4/4-x^2/2-y^2/2": (_grad_double_well(-1.0), _hess_double_well(-1.0)),
}
