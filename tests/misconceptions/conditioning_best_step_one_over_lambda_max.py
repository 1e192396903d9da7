"""Known mistake 'conditioning-best-step-one-over-lambda-max' (conditioning): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "conditioning-best-step-one-over-lambda-max"
MODULE = "conditioning"


def best_fixed_step(H):
    eigenvalues = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    low, high = float(eigenvalues[0]), float(eigenvalues[-1])
    return 1.0 / high, 1.0 - low / high
