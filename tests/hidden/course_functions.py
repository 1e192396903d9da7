"""The course's functions in float64 (what a student's code is fed), as named problems.

The formulas live in :mod:`autograder.problems` (``COURSE_FUNCTIONS``), so the same trusted code
runs in the grader and, rebuilt by name, inside the sandbox worker: a submission calling these
gradients costs no call-back round trip. ``tests/engine/test_ground_truth.py`` compares every
function and gradient with the cached sympy derivatives (``function_derivatives``), so a typo in
a hand-written gradient cannot make a hidden test expect the wrong thing.
"""

from __future__ import annotations

from autograder.problems import COURSE_FUNCTIONS, Problem

#: name -> (f, grad), each a Problem (a plain callable in process).
FUNCTIONS = {name: (Problem("f", function=name), Problem("grad", function=name))
             for name in COURSE_FUNCTIONS}


def f(name):
    return Problem("f", function=name)


def grad(name):
    return Problem("grad", function=name)


def quadratic_grad(A):
    """grad of x.A.x/2 for a float64 matrix A: A @ x (a scalar problem: A[0,0] * x)."""
    return Problem("quadratic_grad", A=A)
