"""Known mistake 'minibatch-divide-by-n' (minibatch_sgd): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "minibatch-divide-by-n"
MODULE = "minibatch"


def minibatch_gradient(X, y, w, batch):
    X = np.asarray(X, dtype=np.float64)
    rows = np.asarray(batch, dtype=np.intp)
    Xb = X[rows]
    return Xb.T @ (Xb @ np.asarray(w, dtype=np.float64) - np.asarray(y, dtype=np.float64)[rows]) / X.shape[0]
