"""Known mistake 'wigner-fractions-over-matrices' (wigner_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "wigner-fractions-over-matrices"
MODULE = "symmetry"


def eigenvalue_sign_fractions(matrices, tol=1e-12):
    lam = np.concatenate([np.linalg.eigvalsh(np.asarray(m, dtype=np.float64)) for m in matrices])
    k = len(matrices)
    return (np.count_nonzero(lam > tol) / k, np.count_nonzero(lam < -tol) / k,
            np.count_nonzero(np.abs(lam) <= tol) / k)
