"""Known mistake 'symbreak-no-activation-derivative' (symmetry_breaking): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "symbreak-no-activation-derivative"
MODULE = "symmetry_breaking"


def two_layer_gradients(X, y, W1, W2):
    X = np.asarray(X, dtype=np.float64)
    W2 = np.asarray(W2, dtype=np.float64)
    H = np.tanh(X @ np.asarray(W1, dtype=np.float64))
    R = (H @ W2 - np.asarray(y, dtype=np.float64)) / X.shape[0]
    return X.T @ (R @ W2.T), H.T @ R
