"""Known mistake 'batchnorm-inference-batch-stats' (batchnorm): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "batchnorm-inference-batch-stats"
MODULE = "normalization"


def batchnorm_inference(x, gamma, beta, running_mean, running_var, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta
