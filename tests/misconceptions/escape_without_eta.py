"""Known mistake 'escape-without-eta' (saddles): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "escape-without-eta"
MODULE = "saddles"


def saddle_escape_factor(H, eta):
    return float(1.0 - np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))[0])
