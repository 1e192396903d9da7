"""Known mistake 'adagrad-no-sqrt' (adagrad): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "adagrad-no-sqrt"
MODULE = "gradient_descent"


def adagrad_step(x, s, g, eta, eps=1e-6):
    g = np.asarray(g, dtype=np.float64)
    s_new = np.asarray(s, dtype=np.float64) + g * g
    x_new = np.asarray(x, dtype=np.float64) - eta * g / (s_new + eps)
    return x_new, s_new
