"""Known mistake 'newton-ascent' (newton): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "newton-ascent"
MODULE = "second_order"


def newton_step(x, g, H, damping=0.0):
    H = np.asarray(H, dtype=np.float64)
    step = np.linalg.solve(H + damping * np.eye(H.shape[0]), np.asarray(g, dtype=np.float64))
    return np.asarray(x, dtype=np.float64) + step
