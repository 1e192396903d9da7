"""Known mistake 'power-norm-not-rayleigh' (power_iteration): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "power-norm-not-rayleigh"
MODULE = "second_order"


def power_iteration(matvec, dim, num_iters, rng):
    v = np.asarray(rng.standard_normal(dim), dtype=np.float64)
    v = v / np.linalg.norm(v)
    for _ in range(num_iters):
        w = np.asarray(matvec(v), dtype=np.float64)
        norm = np.linalg.norm(w)
        if norm == 0.0:
            return 0.0, v
        v = w / norm
    return float(np.linalg.norm(np.asarray(matvec(v), dtype=np.float64))), v
