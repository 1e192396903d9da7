"""Known mistake 'relu-grad-at-zero-one' (activations): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "relu-grad-at-zero-one"
MODULE = "activations"


def relu_grad(x):
    return (np.asarray(x, dtype=np.float64) >= 0).astype(np.float64)
