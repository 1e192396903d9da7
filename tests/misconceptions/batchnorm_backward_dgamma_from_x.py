"""Known mistake 'batchnorm-backward-dgamma-from-x' (batchnorm_backward): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "batchnorm-backward-dgamma-from-x"
MODULE = "normalization"


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    dout = np.asarray(dout, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dbeta = dout.sum(axis=0)
    dx = np.asarray(gamma, dtype=np.float64) * inv_std / n * (n * dout - dbeta - x_hat * (dout * x_hat).sum(axis=0))
    return dx, (dout * x).sum(axis=0), dbeta
