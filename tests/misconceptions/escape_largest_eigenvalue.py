"""Known mistake 'escape-largest-eigenvalue' (saddles): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "escape-largest-eigenvalue"
MODULE = "saddles"


def saddle_escape_factor(H, eta):
    return float(1.0 - eta * np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))[-1])
