"""Known mistake 'momentum-d2l-form' (momentum): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "momentum-d2l-form"
MODULE = "gradient_descent"


def momentum_step(x, v, g, eta, beta):
    v_new = beta * np.asarray(v, dtype=np.float64) + np.asarray(g, dtype=np.float64)
    x_new = np.asarray(x, dtype=np.float64) - eta * v_new
    return x_new, v_new
