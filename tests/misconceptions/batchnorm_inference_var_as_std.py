"""Known mistake 'batchnorm-inference-var-as-std' (batchnorm): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "batchnorm-inference-var-as-std"
MODULE = "normalization"


def batchnorm_inference(x, gamma, beta, running_mean, running_var, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    return gamma * (x - running_mean) / (np.asarray(running_var, dtype=np.float64) + eps) + beta
