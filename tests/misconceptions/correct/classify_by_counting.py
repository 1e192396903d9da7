"""A correct classify_critical_point written differently: it counts the eigenvalues of each sign."""

import numpy as np

MODULE = "second_order"


def classify_critical_point(H, tol=1e-8):
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError("H must be square")
    lam = np.linalg.eigvalsh(H)
    up, down = int(np.sum(lam > tol)), int(np.sum(lam < -tol))
    if up and down:
        return "saddle"
    if up + down < lam.size:
        return "degenerate"
    return "minimum" if up == lam.size else "maximum"
