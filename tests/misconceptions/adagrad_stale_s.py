"""Known mistake 'adagrad-stale-s' (adagrad): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "adagrad-stale-s"
MODULE = "gradient_descent"


def adagrad_step(x, s, g, eta, eps=1e-6):
    g = np.asarray(g, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    x_new = np.asarray(x, dtype=np.float64) - eta * g / np.sqrt(s + eps)
    return x_new, s + g * g
