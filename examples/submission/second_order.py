"""Example submission: second-order methods (see examples/README.md)."""

import numpy as np


def newton_step(x, g, H, damping=0.0):
    x = np.asarray(x, dtype=float)
    H = np.asarray(H, dtype=float)
    d = np.linalg.solve(H + damping * np.eye(len(x)), np.asarray(g, dtype=float))
    return x - d


def classify_critical_point(H, tol=1e-8):
    H = np.asarray(H, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError("H must be square")
    eig = np.linalg.eigvalsh(H)
    if eig.max() > tol and eig.min() < -tol:
        return "saddle"
    if np.any(np.abs(eig) <= tol):
        return "degenerate"
    return "minimum" if eig.min() > tol else "maximum"


def max_stable_learning_rate(H):
    H = np.asarray(H, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError("H must be square")
    eig = np.linalg.eigvalsh(H)
    if eig.min() <= 0:
        raise ValueError("H must be positive definite")
    # Forgot the factor 2: gradient descent is stable up to 2 / lambda_max.
    return float(1.0 / eig.max())


def hessian_vector_product(grad, x, v, h=1e-5):
    x = np.asarray(x, dtype=float)
    v = np.asarray(v, dtype=float)
    return (np.asarray(grad(x + h * v)) - np.asarray(grad(x - h * v))) / (2 * h)


def power_iteration(matvec, dim, num_iters, rng):
    v = rng.standard_normal(dim)
    v = v / np.linalg.norm(v)
    for _ in range(num_iters):
        w = np.asarray(matvec(v), dtype=float)
        norm = np.linalg.norm(w)
        if norm == 0:
            return 0.0, v
        v = w / norm
    return float(v @ matvec(v)), v


def taylor_second_order(f_x, g, H, delta):
    g = np.asarray(g, dtype=float)
    delta = np.asarray(delta, dtype=float)
    # Forgot the 1/2 in front of the quadratic term.
    return float(f_x + g @ delta + delta @ np.asarray(H, dtype=float) @ delta)
