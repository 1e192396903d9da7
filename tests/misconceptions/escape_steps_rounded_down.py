"""Known mistake 'escape-steps-rounded-down' (saddles): a wrong implementation a student plausibly writes."""

import math

import numpy as np

MISCONCEPTION = "escape-steps-rounded-down"
MODULE = "saddles"


def steps_to_escape(H, eta, offset, radius):
    if offset >= radius:
        return 0
    if offset == 0:
        return math.inf
    return int(math.log(radius / offset) / math.log(_escape_factor(H, eta)))


def _escape_factor(H, eta):
    # the right factor (the catalogue module is replayed on its own, without the solution's)
    return float(1.0 - eta * np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))[0])
