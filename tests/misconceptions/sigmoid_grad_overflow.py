"""Known mistake 'sigmoid-grad-overflow' (activations): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "sigmoid-grad-overflow"
MODULE = "activations"


def sigmoid_grad(x):
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-x) / (1.0 + np.exp(-x)) ** 2
