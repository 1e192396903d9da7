"""Known mistake 'rmsprop-eps-outside-root' (rmsprop): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "rmsprop-eps-outside-root"
MODULE = "gradient_descent"


def rmsprop_step(x, s, g, eta, gamma=0.9, eps=1e-6):
    g = np.asarray(g, dtype=np.float64)
    s_new = gamma * np.asarray(s, dtype=np.float64) + (1.0 - gamma) * g * g
    x_new = np.asarray(x, dtype=np.float64) - eta * g / (np.sqrt(s_new) + eps)
    return x_new, s_new
