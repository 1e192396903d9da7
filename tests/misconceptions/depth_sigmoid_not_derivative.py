"""Known mistake 'depth-sigmoid-not-derivative' (depth): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "depth-sigmoid-not-derivative"
MODULE = "depth"


def chain_gradient_magnitudes(weights, pre_activations):
    w = np.asarray(weights, dtype=np.float64)
    factors = w / (1.0 + np.exp(-np.asarray(pre_activations, dtype=np.float64)))
    grads = np.ones(len(w) + 1)
    for layer in range(len(w), 0, -1):
        grads[layer - 1] = grads[layer] * factors[layer - 1]
    return grads
