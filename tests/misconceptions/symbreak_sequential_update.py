"""Known mistake 'symbreak-sequential-update' (symmetry_breaking): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "symbreak-sequential-update"
MODULE = "symmetry_breaking"


def train_two_layer(X, y, W1, W2, eta, steps):
    W1 = np.array(W1, dtype=np.float64)
    W2 = np.array(W2, dtype=np.float64)
    for _ in range(steps):
        _, dW2 = _gradients(X, y, W1, W2)
        W2 = W2 - eta * dW2
        dW1, _ = _gradients(X, y, W1, W2)
        W1 = W1 - eta * dW1
    return W1, W2


def _gradients(X, y, W1, W2):
    # the right gradients (the catalogue module is replayed on its own, without the solution's)
    X = np.asarray(X, dtype=np.float64)
    H = np.tanh(X @ W1)
    R = (H @ W2 - np.asarray(y, dtype=np.float64)) / X.shape[0]
    return X.T @ ((R @ W2.T) * (1.0 - H * H)), H.T @ R
