"""Known mistake 'tanh-grad-one-minus-x-squared' (activations): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "tanh-grad-one-minus-x-squared"
MODULE = "activations"


def tanh_grad(x):
    x = np.asarray(x, dtype=np.float64)
    return 1.0 - x ** 2
