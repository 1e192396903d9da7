"""Known mistake 'nadam-plain-adam' (nadam): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "nadam-plain-adam"
MODULE = "gradient_descent"


def nadam_step(x, v, s, t, g, eta, beta1=0.9, beta2=0.999, eps=1e-8):
    g = np.asarray(g, dtype=np.float64)
    v_new = beta1 * np.asarray(v, dtype=np.float64) + (1.0 - beta1) * g
    s_new = beta2 * np.asarray(s, dtype=np.float64) + (1.0 - beta2) * g * g
    v_hat = v_new / (1.0 - beta1 ** t)
    s_hat = s_new / (1.0 - beta2 ** t)
    return np.asarray(x, dtype=np.float64) - eta * v_hat / (np.sqrt(s_hat) + eps), v_new, s_new
