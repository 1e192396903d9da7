"""Known mistake 'batchnorm-var-not-std' (batchnorm): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "batchnorm-var-not-std"
MODULE = "normalization"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    return gamma * (x - mean) / (var + eps) + beta
