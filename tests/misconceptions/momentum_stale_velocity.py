"""Known mistake 'momentum-stale-velocity' (momentum): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "momentum-stale-velocity"
MODULE = "gradient_descent"


def momentum_step(x, v, g, eta, beta):
    v = np.asarray(v, dtype=np.float64)
    x_new = np.asarray(x, dtype=np.float64) + v
    v_new = beta * v - eta * np.asarray(g, dtype=np.float64)
    return x_new, v_new
