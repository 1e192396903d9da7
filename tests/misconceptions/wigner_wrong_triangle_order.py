"""Known mistake 'wigner-wrong-triangle-order' (wigner_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "wigner-wrong-triangle-order"
MODULE = "symmetry"


def sample_symmetric_matrix(n, rng, sampler):
    size = n * (n + 1) // 2
    values = np.asarray(sampler(rng, size), dtype=np.float64).reshape(size)
    rows, cols = np.tril_indices(n)
    matrix = np.zeros((n, n), dtype=np.float64)
    matrix[rows, cols] = values
    matrix[cols, rows] = values
    return matrix
