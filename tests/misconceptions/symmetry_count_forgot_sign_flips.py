"""Known mistake 'symmetry-count-forgot-sign-flips' (permutation_symmetry): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "symmetry-count-forgot-sign-flips"
MODULE = "symmetry"


def count_equivalent_solutions(d, odd_activation=False):
    return math.factorial(d)
