"""Public tests for assignments/conditioning.py.

The examples use H = [[2, 0], [0, 8]] (the Hessian of x1^2 + 4 x2^2), whose eigenvalues 2 and 8
can be read off the diagonal; every expected number is worked out by hand in the comments.
"""

import numpy as np
import pytest

from autograder.checks import expect_close, expect_unchanged

H = np.array([[2.0, 0.0], [0.0, 8.0]])


@pytest.mark.exercise("conditioning")
def test_condition_number(target):
    got = target.conditioning.condition_number(H.copy())
    expect_close(got, 4.0, call="condition_number([[2, 0], [0, 8]])")        # 8 / 2
    # A coupled H: [[3, 1], [1, 3]] has eigenvalues 2 and 4 (eigenvectors [1, -1] and [1, 1]).
    expect_close(target.conditioning.condition_number(np.array([[3.0, 1.0], [1.0, 3.0]])), 2.0,
                 call="condition_number([[3, 1], [1, 3]])",
                 hint="The eigenvalues of a coupled H are not its diagonal entries: use np.linalg.eigvalsh.")


@pytest.mark.exercise("conditioning")
def test_gd_contraction_factor(target):
    m = target.conditioning
    # eta = 0.1: |1 - 0.2| = 0.8 and |1 - 0.8| = 0.2, so rho = 0.8
    expect_close(m.gd_contraction_factor(H.copy(), 0.1), 0.8, call="gd_contraction_factor(H=[[2, 0], [0, 8]], eta=0.1)")
    # eta = 0.25: |1 - 0.5| = 0.5 and |1 - 2| = 1: the steep direction flips sign and never shrinks
    expect_close(m.gd_contraction_factor(H.copy(), 0.25), 1.0, call="gd_contraction_factor(H=[[2, 0], [0, 8]], eta=0.25)")


@pytest.mark.exercise("conditioning")
def test_best_fixed_step(target):
    Hin = H.copy()
    eta, rho = target.conditioning.best_fixed_step(Hin)
    call = "best_fixed_step([[2, 0], [0, 8]])"
    # eta* = 2 / (2 + 8) = 0.2 and rho* = (4 - 1) / (4 + 1) = 0.6
    expect_close(eta, 0.2, call=call, what="eta_star")
    expect_close(rho, 0.6, call=call, what="rho_star")
    expect_unchanged(H, Hin, call=call, name="H")


@pytest.mark.exercise("conditioning")
def test_steps_to_shrink(target):
    # 0.6**4 = 0.1296 > 0.1 and 0.6**5 = 0.07776 <= 0.1: five steps
    expect_close(target.conditioning.steps_to_shrink(0.6, 10.0), 5, call="steps_to_shrink(rho=0.6, factor=10)")
