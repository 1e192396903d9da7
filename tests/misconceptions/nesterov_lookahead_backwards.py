"""Known mistake 'nesterov-lookahead-backwards' (nesterov): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "nesterov-lookahead-backwards"
MODULE = "gradient_descent"


def nesterov_step(x, v, grad, eta, beta):
    x = np.asarray(x, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    g = np.asarray(grad(x - beta * v), dtype=np.float64)
    v_new = beta * v - eta * g
    return x + v_new, v_new
