"""Known mistake 'sgd-schedule-from-zero' (sgd): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "sgd-schedule-from-zero"
MODULE = "gradient_descent"


def _constant_lr(t):
    return 1.0

def sgd(grad, x0, eta, num_steps, rng, noise_std=1.0, lr_schedule=_constant_lr):
    x = np.array(x0, dtype=np.float64)
    trajectory = [x.copy()]
    for t in range(num_steps):
        noise = rng.normal(0.0, noise_std, size=np.shape(x))
        g = np.asarray(grad(x), dtype=np.float64) + noise
        x = x - eta * lr_schedule(t) * g
        trajectory.append(x.copy())
    return np.array(trajectory)
