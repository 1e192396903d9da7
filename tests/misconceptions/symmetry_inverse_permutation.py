"""Known mistake 'symmetry-inverse-permutation' (permutation_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "symmetry-inverse-permutation"
MODULE = "symmetry"


def permute_hidden_units(params, perm):
    W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    inverse = np.argsort(np.asarray(perm))
    return W1[:, inverse], b1[inverse], W2[inverse, :], b2.copy()
