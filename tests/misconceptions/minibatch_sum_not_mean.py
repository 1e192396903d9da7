"""Known mistake 'minibatch-sum-not-mean' (minibatch_sgd): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "minibatch-sum-not-mean"
MODULE = "minibatch"


def minibatch_gradient(X, y, w, batch):
    rows = np.asarray(batch, dtype=np.intp)
    Xb = np.asarray(X, dtype=np.float64)[rows]
    return Xb.T @ (Xb @ np.asarray(w, dtype=np.float64) - np.asarray(y, dtype=np.float64)[rows])
