"""Hidden tests that kill surviving mutants of solutions/symmetry.py: eigenvalues exactly at the
tolerance, the input checks and the enumeration of exact_eigenvalue_sign_probabilities.
Expected values are derived with sympy (the cases of ``MUTANT_CASES`` in
autograder/ground_truth/cases.py); the comments enumerate them by hand.
"""

from fractions import Fraction

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_close, expect_equal, fmt
from autograder.feedback import Failure
from autograder.ground_truth.cases import MUTANT_CASES

pytestmark = pytest.mark.visibility("after_due_date")


def _case(key: str) -> ground_truth.GroundTruth:
    """The derived case of cases.MUTANT_CASES named ``key``."""
    name, params = MUTANT_CASES[key]
    return ground_truth.load(name, **params)


@pytest.mark.exercise("wigner_symmetry")
def test_sign_fractions_count_eigenvalues_at_the_tolerance_as_zero(target):
    # Eigenvalues exactly +-tol (a diagonal matrix's eigenvalues are its diagonal): both zero.
    gt = _case("sign_fractions_at_tolerance")
    fractions = target.symmetry.eigenvalue_sign_fractions([np.diag([0.5, -0.5]), np.diag([1.0, -1.0])], tol=0.5)
    expect_close(fractions, gt["fractions"], **gt.tol("fractions"),
                 call="eigenvalue_sign_fractions([diag(0.5, -0.5), diag(1, -1)], tol=0.5)",
                 what="(positive, negative, zero)", hint="|lambda| <= tol counts as zero (note the <=).")


@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(2)
def test_exact_probabilities_with_unequal_values(target):
    # n = 2, entries a, b, c in {1/2, 1} with probability 1/2 each (8 matrices of weight 1/8).
    # trace > 0 always; det = ac - b^2 decides: det > 0 -> (+, +), det < 0 -> (+, -), det = 0 -> (+, 0).
    #   (a, b, c) = (1/2,1/2,1/2): det 0  (+,0)    (1/2,1,1/2): det -3/4 (+,-)
    #               (1/2,1/2,1):   det 1/4 (+,+)   (1/2,1,1):   det -1/2 (+,-)
    #               (1,1/2,1/2):   det 1/4 (+,+)   (1,1,1/2):   det -1/2 (+,-)
    #               (1,1/2,1):     det 3/4 (+,+)   (1,1,1):     det 0    (+,0)
    # 16 eigenvalues: 11 positive, 3 negative, 2 zero.
    got = target.symmetry.exact_eigenvalue_sign_probabilities(2, [Fraction(1, 2), 1], [Fraction(1, 2), Fraction(1, 2)])
    expect_equal(tuple(got), tuple(_case("exact_signs_unequal_values").exact("probabilities")),
                 call="exact_eigenvalue_sign_probabilities(2, values=[1/2, 1], probs=[1/2, 1/2])")
    expect_equal(len(got), 3, call="exact_eigenvalue_sign_probabilities(...)", what="the number of fractions")


@pytest.mark.exercise("wigner_symmetry")
def test_exact_probabilities_with_a_certain_value_and_a_zero_probability(target):
    # Every entry is 1 (the value 5 has probability 0): A = [[1, 1], [1, 1]] has eigenvalues 2 and 0.
    got = target.symmetry.exact_eigenvalue_sign_probabilities(2, [5, 1], [0, 1])
    expect_equal(tuple(got), tuple(_case("exact_signs_zero_probability").exact("probabilities")),
                 call="exact_eigenvalue_sign_probabilities(2, values=[5, 1], probs=[0, 1])",
                 hint="A probability may be 0 (skip those choices) and may be 1.")


@pytest.mark.exercise("wigner_symmetry")
def test_exact_probabilities_reject_probabilities_not_summing_to_one(target):
    call = "exact_eigenvalue_sign_probabilities(1, values=[-1, 1], probs=[1/2, 1/4])"
    try:
        result = target.symmetry.exact_eigenvalue_sign_probabilities(1, [-1, 1], [Fraction(1, 2), Fraction(1, 4)])
    except ValueError:
        return
    raise Failure(f"{call} should raise ValueError (the probabilities sum to 3/4)",
                  expected="ValueError", actual=fmt(result))


@pytest.mark.exercise("wigner_symmetry")
def test_exact_probabilities_are_exact_where_floating_point_rounds(target):
    # Values p = 2^20 + 1, q = 2^40 - 2^20 + 1, r = 2^30, 1/3 each. The matrix [[p, r], [r, q]] has
    # p*q = 2^60 + 1, so its determinant is exactly 1 (two positive eigenvalues); in float64 p*q
    # rounds to 2^60 = r*r and the determinant comes out 0. Any float step (np.linalg, or a `/`
    # in an exact recurrence) loses it. Expected: sympy's exact enumeration (20/27, 11/54, 1/18).
    values = [2**20 + 1, 2**40 - 2**20 + 1, 2**30]
    expected = tuple(_case("exact_signs_beyond_float64").exact("probabilities"))
    call = ("exact_eigenvalue_sign_probabilities(2, values=[2**20 + 1, 2**40 - 2**20 + 1, 2**30], "
            "probs=[1/3] * 3)")
    got = target.symmetry.exact_eigenvalue_sign_probabilities(2, values, [Fraction(1, 3)] * 3)
    expect_equal(tuple(got), expected, call=call,
                 hint="[[2**20 + 1, 2**30], [2**30, 2**40 - 2**20 + 1]] has determinant exactly 1, but "
                      "floating point rounds it to 0: keep every step in integers or Fractions.")
