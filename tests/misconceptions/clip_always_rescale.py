"""Known mistake 'clip-always-rescale' (clipping): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "clip-always-rescale"
MODULE = "gradient_descent"


def clip_by_norm(g, threshold):
    g = np.asarray(g, dtype=np.float64)
    norm = float(np.linalg.norm(g))
    return g * (threshold / norm) if norm > 0 else g.copy()
