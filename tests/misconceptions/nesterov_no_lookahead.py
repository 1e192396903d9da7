"""Known mistake 'nesterov-no-lookahead' (nesterov): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "nesterov-no-lookahead"
MODULE = "gradient_descent"


def nesterov_step(x, v, grad, eta, beta):
    x = np.asarray(x, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    g = np.asarray(grad(x), dtype=np.float64)        # gradient at x, not at x + beta*v
    v_new = beta * v - eta * g
    return x + v_new, v_new
