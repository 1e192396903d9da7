"""A correct relu_grad written differently: numpy's Heaviside step with value 0 at 0."""

import numpy as np

MODULE = "activations"


def relu_grad(x):
    return np.heaviside(np.asarray(x, dtype=np.float64), 0.0)
