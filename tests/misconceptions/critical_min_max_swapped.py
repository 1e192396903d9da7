"""Known mistake 'critical-min-max-swapped' (critical_points): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "critical-min-max-swapped"
MODULE = "second_order"


def classify_critical_point(H, tol=1e-8):
    H = np.asarray(H, dtype=np.float64)
    lam = np.linalg.eigvalsh((H + H.T) / 2)
    if np.any(lam > tol) and np.any(lam < -tol):
        return "saddle"
    if np.all(lam > tol):
        return "maximum"
    if np.all(lam < -tol):
        return "minimum"
    return "degenerate"
