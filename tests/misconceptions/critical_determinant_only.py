"""Known mistake 'critical-determinant-only' (critical_points): the sign of det(H) alone decides."""

import numpy as np

MISCONCEPTION = "critical-determinant-only"
MODULE = "second_order"


def classify_critical_point(H, tol=1e-8):
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square matrix, got shape {H.shape}")
    det = float(np.linalg.det(H))
    if abs(det) <= tol:
        return "degenerate"
    return "minimum" if det > 0 else "saddle"
