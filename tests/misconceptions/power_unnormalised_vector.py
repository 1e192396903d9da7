"""Known mistake 'power-unnormalised-vector' (power_iteration): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "power-unnormalised-vector"
MODULE = "second_order"


def power_iteration(matvec, dim, num_iters, rng):
    v = np.asarray(rng.standard_normal(dim), dtype=np.float64)
    v = v / np.linalg.norm(v)
    for _ in range(num_iters):
        v = np.asarray(matvec(v), dtype=np.float64)
    eigenvalue = float(v @ np.asarray(matvec(v), dtype=np.float64) / (v @ v))
    return eigenvalue, v
