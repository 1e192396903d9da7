"""Known mistake 'batchnorm-wrong-axis' (batchnorm): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "batchnorm-wrong-axis"
MODULE = "normalization"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta
