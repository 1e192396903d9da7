"""Known mistake 'wigner-pd-fraction-of-eigenvalues' (wigner_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "wigner-pd-fraction-of-eigenvalues"
MODULE = "symmetry"


def positive_definite_fraction(n, rng, num_samples):
    rows, cols = np.triu_indices(n)
    values = rng.standard_normal((num_samples, n * (n + 1) // 2))  # the same draws as one per matrix
    matrices = np.zeros((num_samples, n, n))
    matrices[:, rows, cols] = values
    matrices[:, cols, rows] = values
    return np.count_nonzero(np.linalg.eigvalsh(matrices) > 0) / (num_samples * n)
