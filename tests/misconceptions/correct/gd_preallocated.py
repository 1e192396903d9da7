"""A correct gd written differently: the trajectory preallocated and filled row by row."""

import numpy as np

MODULE = "gradient_descent"


def gd(grad, x0, eta, num_steps):
    x0 = np.asarray(x0, dtype=np.float64)
    out = np.empty((num_steps + 1,) + x0.shape)
    out[0] = x0
    for k in range(num_steps):
        out[k + 1] = out[k] - eta * np.asarray(grad(out[k].copy()), dtype=np.float64)
    return out
