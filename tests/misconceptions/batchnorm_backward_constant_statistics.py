"""Known mistake 'batchnorm-backward-constant-statistics' (batchnorm_backward): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "batchnorm-backward-constant-statistics"
MODULE = "normalization"


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    dout = np.asarray(dout, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) / std
    return np.asarray(gamma, dtype=np.float64) * dout / std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
