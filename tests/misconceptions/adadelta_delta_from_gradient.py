"""Known mistake 'adadelta-delta-from-gradient' (adadelta): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "adadelta-delta-from-gradient"
MODULE = "gradient_descent"


def adadelta_step(x, s, delta, g, rho=0.95, eps=1e-6):
    g = np.asarray(g, dtype=np.float64)
    delta = np.asarray(delta, dtype=np.float64)
    s_new = rho * np.asarray(s, dtype=np.float64) + (1.0 - rho) * g * g
    update = np.sqrt(delta + eps) / np.sqrt(s_new + eps) * g
    return np.asarray(x, dtype=np.float64) - update, s_new, rho * delta + (1.0 - rho) * g * g
