"""Known mistake 'symmetry-identity-left-out' (permutation_symmetry): a wrong implementation a student plausibly writes."""

import itertools
import numpy as np

MISCONCEPTION = "symmetry-identity-left-out"
MODULE = "symmetry"


def equivalent_parameterizations(params):
    W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    d = W1.shape[1]
    copies = []
    for perm in itertools.permutations(range(d)):
        if list(perm) == list(range(d)):
            continue
        p = np.asarray(perm)
        copies.append((W1[:, p], b1[p], W2[p, :], b2.copy()))
    return copies
