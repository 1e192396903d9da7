"""Known mistake 'symbreak-sequential-update' (symmetry_breaking): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "symbreak-sequential-update"
MODULE = "symmetry_breaking"


def train_two_layer(X, y, W1, W2, eta, steps):
    W1 = np.array(W1, dtype=np.float64)
    W2 = np.array(W2, dtype=np.float64)
    for _ in range(steps):
        _, dW2 = two_layer_gradients(X, y, W1, W2)
        W2 = W2 - eta * dW2
        dW1, _ = two_layer_gradients(X, y, W1, W2)
        W1 = W1 - eta * dW1
    return W1, W2
