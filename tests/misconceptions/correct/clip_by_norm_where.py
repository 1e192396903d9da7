"""A correct clip_by_norm written differently: one scale factor, guarded for a zero norm."""

import numpy as np

MODULE = "gradient_descent"


def clip_by_norm(g, threshold):
    g = np.array(g, dtype=np.float64)
    norm = np.sqrt(np.sum(g * g))
    scale = 1.0 if norm <= threshold else threshold / norm
    return g * scale
