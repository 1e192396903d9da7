"""The course's functions in float64 (what a student's code is fed), checked against sympy.

``tests/engine/test_ground_truth.py`` compares every function and gradient here with the cached
sympy derivatives (``function_derivatives``), so a typo in a hand-written gradient cannot make a
hidden test expect the wrong thing.
"""

from __future__ import annotations

import numpy as np

PI = np.pi


def _xy(p):
    p = np.asarray(p, dtype=np.float64)
    return p[0], p[1]


FUNCTIONS = {
    "x^2": (lambda x: np.asarray(x, dtype=float) ** 2,
            lambda x: 2.0 * np.asarray(x, dtype=float)),
    "x*cos(pi*x)": (lambda x: x * np.cos(PI * x),
                    lambda x: np.cos(PI * x) - PI * x * np.sin(PI * x)),
    "x*cos(0.15*pi*x)": (lambda x: x * np.cos(0.15 * PI * x),
                         lambda x: np.cos(0.15 * PI * x) - 0.15 * PI * x * np.sin(0.15 * PI * x)),
    "x^3": (lambda x: x ** 3, lambda x: 3.0 * x ** 2),
    "x^2+y^2": (lambda p: _xy(p)[0] ** 2 + _xy(p)[1] ** 2,
                lambda p: np.array([2 * _xy(p)[0], 2 * _xy(p)[1]])),
    "x^2-y^2": (lambda p: _xy(p)[0] ** 2 - _xy(p)[1] ** 2,
                lambda p: np.array([2 * _xy(p)[0], -2 * _xy(p)[1]])),
    "sin(x^2)+cos(y^2)": (lambda p: np.sin(_xy(p)[0] ** 2) + np.cos(_xy(p)[1] ** 2),
                          lambda p: np.array([2 * _xy(p)[0] * np.cos(_xy(p)[0] ** 2),
                                              -2 * _xy(p)[1] * np.sin(_xy(p)[1] ** 2)])),
    "rosenbrock": (lambda p: (1 - _xy(p)[0]) ** 2 + 100 * (_xy(p)[1] - _xy(p)[0] ** 2) ** 2,
                   lambda p: np.array([-2 * (1 - _xy(p)[0]) - 400 * _xy(p)[0] * (_xy(p)[1] - _xy(p)[0] ** 2),
                                       200 * (_xy(p)[1] - _xy(p)[0] ** 2)])),
    "x1^2+2*x2^2": (lambda p: _xy(p)[0] ** 2 + 2 * _xy(p)[1] ** 2,
                    lambda p: np.array([2 * _xy(p)[0], 4 * _xy(p)[1]])),
    "0.1*x1^2+2*x2^2": (lambda p: 0.1 * _xy(p)[0] ** 2 + 2 * _xy(p)[1] ** 2,
                        lambda p: np.array([0.2 * _xy(p)[0], 4 * _xy(p)[1]])),
}


def f(name):
    return FUNCTIONS[name][0]


def grad(name):
    return FUNCTIONS[name][1]


def quadratic_grad(A):
    """grad of x.A.x/2 for a float64 matrix A: A @ x (a scalar problem: A[0,0] * x)."""
    A = np.asarray(A, dtype=np.float64)
    if A.shape == (1, 1):
        return lambda x: A[0, 0] * np.asarray(x, dtype=np.float64)
    return lambda x: A @ np.asarray(x, dtype=np.float64)
