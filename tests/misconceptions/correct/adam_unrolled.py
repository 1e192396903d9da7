"""A correct adam_step written differently: the bias corrections folded into the step size."""

import numpy as np

MODULE = "gradient_descent"


def adam_step(x, v, s, t, g, eta, beta1=0.9, beta2=0.999, eps=1e-6):
    g = np.array(g, dtype=np.float64)
    v_new = np.array(v, dtype=np.float64) * beta1
    v_new += (1 - beta1) * g
    s_new = np.array(s, dtype=np.float64) * beta2
    s_new += (1 - beta2) * np.square(g)
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    step = eta * (v_new / c1) / (np.sqrt(s_new / c2) + eps)
    return np.array(x, dtype=np.float64) - step, v_new, s_new
