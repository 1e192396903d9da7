"""Known mistake 'wigner-ignores-zero-eigenvalues' (wigner_symmetry): a wrong implementation a student plausibly writes."""

from fractions import Fraction

MISCONCEPTION = "wigner-ignores-zero-eigenvalues"
MODULE = "symmetry"


def exact_eigenvalue_sign_probabilities(n, values, probs):
    return Fraction(1, 2), Fraction(1, 2), Fraction(0)
