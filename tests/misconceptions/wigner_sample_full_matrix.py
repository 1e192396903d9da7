"""Known mistake 'wigner-sample-full-matrix' (wigner_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "wigner-sample-full-matrix"
MODULE = "symmetry"


def sample_symmetric_matrix(n, rng, sampler):
    a = np.asarray(sampler(rng, n * n), dtype=np.float64).reshape(n, n)
    return (a + a.T) / 2.0
