"""Known mistake 'symmetry-activation-on-output' (permutation_symmetry): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "symmetry-activation-on-output"
MODULE = "symmetry"


def mlp_forward(params, x, activation=np.tanh):
    W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    hidden = activation(np.asarray(x, dtype=np.float64) @ W1 + b1)
    return np.asarray(activation(hidden @ W2 + b2), dtype=np.float64)
