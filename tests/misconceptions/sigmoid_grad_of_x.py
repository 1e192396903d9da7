"""Known mistake 'sigmoid-grad-of-x' (activations): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "sigmoid-grad-of-x"
MODULE = "activations"


def sigmoid_grad(x):
    x = np.asarray(x, dtype=np.float64)
    return x * (1.0 - x)
