"""Known mistake 'critical-degenerate-before-saddle' (critical_points): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "critical-degenerate-before-saddle"
MODULE = "second_order"


def classify_critical_point(H, tol=1e-8):
    H = np.asarray(H, dtype=np.float64)
    lam = np.linalg.eigvalsh((H + H.T) / 2)
    if np.any(np.abs(lam) <= tol):
        return "degenerate"
    if np.all(lam > 0):
        return "minimum"
    if np.all(lam < 0):
        return "maximum"
    return "saddle"
