"""Known mistake 'tanh-grad-of-x' (activations): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "tanh-grad-of-x"
MODULE = "activations"


def tanh_grad(x):
    x = np.asarray(x, dtype=np.float64)
    return 1.0 - x ** 2
