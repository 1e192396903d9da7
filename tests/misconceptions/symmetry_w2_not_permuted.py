"""Known mistake 'symmetry-w2-not-permuted' (permutation_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "symmetry-w2-not-permuted"
MODULE = "symmetry"


def permute_hidden_units(params, perm):
    W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    perm = np.asarray(perm)
    return W1[:, perm], b1[perm], W2.copy(), b2.copy()
