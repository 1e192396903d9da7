"""Known mistake 'tanh-grad-missing-square' (activations): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "tanh-grad-missing-square"
MODULE = "activations"


def tanh_grad(x):
    return 1.0 - np.tanh(np.asarray(x, dtype=np.float64))
