"""Known mistake 'newton-damping-every-entry' (newton): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "newton-damping-every-entry"
MODULE = "second_order"


def newton_step(x, g, H, damping=0.0):
    H = np.asarray(H, dtype=np.float64)
    step = np.linalg.solve(H + damping, np.asarray(g, dtype=np.float64))
    return np.asarray(x, dtype=np.float64) - step
