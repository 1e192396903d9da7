"""Known mistake 'gd-no-update' (gd): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "gd-no-update"
MODULE = "gradient_descent"


def gd(grad, x0, eta, num_steps):
    x = np.array(x0, dtype=np.float64)
    trajectory = [x.copy()]
    for _ in range(num_steps):
        x_new = x - eta * np.asarray(grad(x), dtype=np.float64)   # computed, never stored in x
        trajectory.append(x.copy())
    return np.array(trajectory)
