"""Known mistake 'power-ignores-rng' (power_iteration): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "power-ignores-rng"
MODULE = "second_order"


def power_iteration(matvec, dim, num_iters, rng):
    v = np.ones(dim) / np.sqrt(dim)
    for _ in range(num_iters):
        w = np.asarray(matvec(v), dtype=np.float64)
        norm = np.linalg.norm(w)
        if norm == 0.0:
            return 0.0, v
        v = w / norm
    return float(v @ np.asarray(matvec(v), dtype=np.float64)), v
