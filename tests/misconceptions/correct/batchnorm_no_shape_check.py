"""batchnorm_forward with the right formulas that forgets the contract's check of a 1-D x.

It loses the points of that check, and no known mistake may be named for it: none of the
catalogue's batchnorm mistakes is about the check (issue 19: it was told
"batchnorm-shift-before-scale").
"""

import numpy as np

MODULE = "normalization"
LOSES_POINTS = "does not raise ValueError for a 1-D x"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    centred = x - np.mean(x, axis=0)
    scale = np.asarray(gamma, dtype=np.float64) / np.sqrt(np.mean(centred ** 2, axis=0) + eps)
    return centred * scale + np.asarray(beta, dtype=np.float64)
