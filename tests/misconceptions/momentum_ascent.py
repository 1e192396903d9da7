"""Known mistake 'momentum-ascent' (momentum): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "momentum-ascent"
MODULE = "gradient_descent"


def momentum_step(x, v, g, eta, beta):
    v_new = beta * np.asarray(v, dtype=np.float64) + eta * np.asarray(g, dtype=np.float64)
    x_new = np.asarray(x, dtype=np.float64) + v_new
    return x_new, v_new
