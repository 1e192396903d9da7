"""Known mistake 'clip-divide-by-zero' (clipping): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "clip-divide-by-zero"
MODULE = "gradient_descent"


def clip_by_norm(g, threshold):
    g = np.asarray(g, dtype=np.float64)
    norm = np.linalg.norm(g)
    return g / norm * min(norm, threshold)        # the unit direction times the clipped length
