"""Known mistake 'newton-batch-sum-not-mean' (newton_method): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "newton-batch-sum-not-mean"
MODULE = "second_order"


def least_squares_gradient_and_hessian(X, y, w):
    X = np.asarray(X, dtype=np.float64)
    residuals = X @ np.asarray(w, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return X.T @ residuals, X.T @ X
