"""Known mistake 'sigmoid-grad-is-sigmoid' (activations): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "sigmoid-grad-is-sigmoid"
MODULE = "activations"


def _stable_sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))

def sigmoid_grad(x):
    return _stable_sigmoid(x)
