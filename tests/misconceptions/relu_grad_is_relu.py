"""Known mistake 'relu-grad-is-relu' (activations): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "relu-grad-is-relu"
MODULE = "activations"


def relu_grad(x):
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)
