"""Known mistake 'wigner-pd-fraction-of-eigenvalues' (wigner_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "wigner-pd-fraction-of-eigenvalues"
MODULE = "symmetry"


def positive_definite_fraction(n, rng, num_samples):
    positive = 0
    rows, cols = np.triu_indices(n)
    for _ in range(num_samples):
        values = rng.standard_normal(n * (n + 1) // 2)
        matrix = np.zeros((n, n))
        matrix[rows, cols] = values
        matrix[cols, rows] = values
        positive += np.count_nonzero(np.linalg.eigvalsh(matrix) > 0)
    return positive / (num_samples * n)
