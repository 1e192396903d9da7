"""Known mistake 'hvp-missing-factor-two' (hvp): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "hvp-missing-factor-two"
MODULE = "second_order"


def hessian_vector_product(grad, x, v, h=1e-5):
    x = np.asarray(x, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    return (np.asarray(grad(x + h * v), dtype=np.float64) - np.asarray(grad(x - h * v), dtype=np.float64)) / h
