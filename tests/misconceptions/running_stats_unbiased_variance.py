"""Known mistake 'running-stats-unbiased-variance' (batchnorm_running_stats): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "running-stats-unbiased-variance"
MODULE = "normalization"


def update_running_stats(running_mean, running_var, x, momentum=0.99):
    x = np.asarray(x, dtype=np.float64)
    new_mean = momentum * np.asarray(running_mean, dtype=np.float64) + (1.0 - momentum) * x.mean(axis=0)
    new_var = momentum * np.asarray(running_var, dtype=np.float64) + (1.0 - momentum) * x.var(axis=0, ddof=1)
    return new_mean, new_var
