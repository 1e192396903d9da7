"""Known mistake 'symmetry-count-missing-sign-flips' (permutation_symmetry): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "symmetry-count-missing-sign-flips"
MODULE = "symmetry"


def count_equivalent_solutions(d, odd_activation=False):
    return math.factorial(d)
