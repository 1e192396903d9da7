"""Known mistake 'stable-lr-unsorted-eigvals' (stable_lr): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "stable-lr-unsorted-eigvals"
MODULE = "second_order"


def max_stable_learning_rate(H):
    lam = np.linalg.eigvals(np.asarray(H, dtype=np.float64)).real
    if np.min(lam) <= 0:
        raise ValueError("H must be positive definite")
    return 2.0 / float(lam[-1])
