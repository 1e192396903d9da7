"""Known mistake 'taylor-no-half' (taylor): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "taylor-no-half"
MODULE = "second_order"


def taylor_second_order(f_x, g, H, delta):
    g = np.asarray(g, dtype=np.float64)
    H = np.asarray(H, dtype=np.float64)
    delta = np.asarray(delta, dtype=np.float64)
    return float(f_x + g @ delta + delta @ H @ delta)
