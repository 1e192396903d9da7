"""Known mistake 'symmetry-count-d-minus-1-factorial' (permutation_symmetry): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "symmetry-count-d-minus-1-factorial"
MODULE = "symmetry"


def count_equivalent_solutions(d, odd_activation=False):
    count = math.factorial(d - 1)
    return 2 ** d * count if odd_activation else count
