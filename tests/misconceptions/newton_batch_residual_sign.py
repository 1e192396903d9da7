"""Known mistake 'newton-batch-residual-sign' (newton_method): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "newton-batch-residual-sign"
MODULE = "second_order"


def least_squares_gradient_and_hessian(X, y, w):
    X = np.asarray(X, dtype=np.float64)
    m = X.shape[0]
    residuals = np.asarray(y, dtype=np.float64) - X @ np.asarray(w, dtype=np.float64)
    return X.T @ residuals / m, X.T @ X / m
