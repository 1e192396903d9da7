"""Known mistake 'running-stats-momentum-swapped' (batchnorm_running_stats): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "running-stats-momentum-swapped"
MODULE = "normalization"


def update_running_stats(running_mean, running_var, x, momentum=0.99):
    x = np.asarray(x, dtype=np.float64)
    new_mean = (1.0 - momentum) * np.asarray(running_mean, dtype=np.float64) + momentum * x.mean(axis=0)
    new_var = (1.0 - momentum) * np.asarray(running_var, dtype=np.float64) + momentum * x.var(axis=0)
    return new_mean, new_var
