"""Known mistake 'adagrad-eps-outside-root' (adagrad): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "adagrad-eps-outside-root"
MODULE = "gradient_descent"


def adagrad_step(x, s, g, eta, eps=1e-6):
    g = np.asarray(g, dtype=np.float64)
    s_new = np.asarray(s, dtype=np.float64) + g * g
    x_new = np.asarray(x, dtype=np.float64) - eta * g / (np.sqrt(s_new) + eps)
    return x_new, s_new
