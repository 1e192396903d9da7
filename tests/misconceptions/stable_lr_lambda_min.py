"""Known mistake 'stable-lr-lambda-min' (stable_lr): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "stable-lr-lambda-min"
MODULE = "second_order"


def max_stable_learning_rate(H):
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    if lam[0] <= 0:
        raise ValueError("H must be positive definite")
    return 2.0 / float(lam[0])
