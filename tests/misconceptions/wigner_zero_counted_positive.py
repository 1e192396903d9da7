"""Known mistake 'wigner-zero-counted-positive' (wigner_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "wigner-zero-counted-positive"
MODULE = "symmetry"


def eigenvalue_sign_fractions(matrices, tol=1e-12):
    lam = np.concatenate([np.linalg.eigvalsh(np.asarray(m, dtype=np.float64)) for m in matrices])
    positive = np.count_nonzero(lam >= -tol)
    negative = np.count_nonzero(lam < -tol)
    return positive / lam.size, negative / lam.size, 0.0
