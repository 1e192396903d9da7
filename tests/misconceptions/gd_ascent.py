"""Known mistake 'gd-ascent' (gd): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "gd-ascent"
MODULE = "gradient_descent"


def gd(grad, x0, eta, num_steps):
    x = np.array(x0, dtype=np.float64)
    trajectory = [x.copy()]
    for _ in range(num_steps):
        x = x + eta * np.asarray(grad(x), dtype=np.float64)   # uphill
        trajectory.append(x.copy())
    return np.array(trajectory)
