"""Known mistake 'wigner-tol-ignored' (wigner_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "wigner-tol-ignored"
MODULE = "symmetry"


def eigenvalue_sign_fractions(matrices, tol=1e-12):
    lam = np.concatenate([np.linalg.eigvalsh(np.asarray(m, dtype=np.float64)) for m in matrices])
    return (np.count_nonzero(lam > 0) / lam.size, np.count_nonzero(lam < 0) / lam.size,
            np.count_nonzero(lam == 0) / lam.size)
