"""Known mistake 'critical-zero-as-positive' (critical_points): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "critical-zero-as-positive"
MODULE = "second_order"


def classify_critical_point(H, tol=1e-8):
    H = np.asarray(H, dtype=np.float64)
    lam = np.linalg.eigvalsh((H + H.T) / 2)
    positive = lam >= -tol
    negative = lam < -tol
    if positive.any() and negative.any():
        return "saddle"
    if positive.all():
        return "minimum"
    return "maximum"
