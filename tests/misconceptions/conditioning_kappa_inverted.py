"""Known mistake 'conditioning-kappa-inverted' (conditioning): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "conditioning-kappa-inverted"
MODULE = "conditioning"


def condition_number(H):
    eigenvalues = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    return float(eigenvalues[0] / eigenvalues[-1])
