"""Known mistake 'newton-damping-ignored' (newton): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "newton-damping-ignored"
MODULE = "second_order"


def newton_step(x, g, H, damping=0.0):
    step = np.linalg.solve(np.asarray(H, dtype=np.float64), np.asarray(g, dtype=np.float64))
    return np.asarray(x, dtype=np.float64) - step
