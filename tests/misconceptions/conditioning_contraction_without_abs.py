"""Known mistake 'conditioning-contraction-without-abs' (conditioning): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "conditioning-contraction-without-abs"
MODULE = "conditioning"


def gd_contraction_factor(H, eta):
    eigenvalues = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    return float(np.max(1.0 - eta * eigenvalues))
