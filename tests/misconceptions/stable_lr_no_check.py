"""Known mistake 'stable-lr-no-check' (stable_lr): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "stable-lr-no-check"
MODULE = "second_order"
# The mistake is the ValueError left out: calls the reference refuses are its evidence.
MISSING_CHECK = True


def max_stable_learning_rate(H):
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    return 2.0 / float(lam[-1])
