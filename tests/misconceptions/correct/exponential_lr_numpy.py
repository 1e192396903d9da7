"""A correct exponential_lr written differently: 1 / e**(rate t) through numpy."""

import numpy as np

MODULE = "gradient_descent"


def exponential_lr(t, rate=0.1):
    return float(1.0 / np.exp(rate * t))
