"""Known mistake 'critical-tol-ignored' (critical_points): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "critical-tol-ignored"
MODULE = "second_order"


def classify_critical_point(H, tol=1e-8):
    H = np.asarray(H, dtype=np.float64)
    lam = np.linalg.eigvalsh((H + H.T) / 2)
    if np.any(lam > 0) and np.any(lam < 0):
        return "saddle"
    if np.all(lam > 0):
        return "minimum"
    if np.all(lam < 0):
        return "maximum"
    return "degenerate"
