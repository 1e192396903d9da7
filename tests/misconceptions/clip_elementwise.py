"""Known mistake 'clip-elementwise' (clipping): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "clip-elementwise"
MODULE = "gradient_descent"


def clip_by_norm(g, threshold):
    return np.clip(np.asarray(g, dtype=np.float64), -threshold, threshold)
