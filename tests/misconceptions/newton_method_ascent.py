"""Known mistake 'newton-method-ascent' (newton_method): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "newton-method-ascent"
MODULE = "second_order"


def newton_method(grad, hess, w0, max_steps, tol=1e-8, damping=0.0):
    w = np.array(w0, dtype=np.float64)
    trajectory = [w.copy()]
    for _ in range(max_steps):
        g = np.asarray(grad(w), dtype=np.float64)
        if np.linalg.norm(g) <= tol:
            break
        H = np.asarray(hess(w), dtype=np.float64)
        w = w + np.linalg.solve(H + damping * np.eye(H.shape[0]), g)
        trajectory.append(w.copy())
    return np.array(trajectory)
