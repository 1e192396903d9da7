"""Batch normalisation outputs: exact rational statistics, one irrational square root (50 digits)."""

from __future__ import annotations

import sympy as sp

from ..derive import U, Derived, exact, float_tolerance, rational, rational_matrix, to_mpf
from ..registry import derivation


def _bn(X, gamma, beta, mean, var, eps, eps_outside=False):
    rows, cols = X.shape
    out = sp.zeros(rows, cols)
    for j in range(cols):
        den = sp.sqrt(var[j]) + eps if eps_outside else sp.sqrt(var[j] + eps)
        for i in range(rows):
            out[i, j] = gamma[j] * (X[i, j] - mean[j]) / den + beta[j]
    return out


def _stats(X, ddof=0):
    n = X.rows
    mean = [sum(X[:, j]) / n for j in range(X.cols)]
    var = [sum((X[i, j] - mean[j]) ** 2 for i in range(n)) / (n - ddof) for j in range(X.cols)]
    return mean, var


def _tolerance(X, gamma, beta, mean, var, eps):
    """|error| of a float64 batchnorm: the mean and variance of N numbers carry ~N ulps of the
    column's magnitude; divided by sqrt(var + eps) and scaled by |gamma|."""
    n = X.rows
    worst = 0
    for j in range(X.cols):
        mag = max(abs(to_mpf(X[i, j])) for i in range(n)) + abs(to_mpf(mean[j]))
        den = to_mpf(sp.sqrt(var[j] + eps))
        worst = max(worst, 8 * n * U * mag / den * abs(to_mpf(gamma[j])) + 4 * U * abs(to_mpf(beta[j])))
    return worst


@derivation
def batchnorm_forward(x, gamma, beta, eps="1/100000"):
    """Training-mode batchnorm over axis 0 with the biased variance; known wrong answers:
    unbiased variance (ddof = 1), eps outside the root, statistics over axis 1."""
    X = rational_matrix(x)
    g = [rational(v) for v in gamma]
    b = [rational(v) for v in beta]
    e = rational(eps)
    mean, var = _stats(X)
    out = _bn(X, g, b, mean, var, e)
    mean1, var1 = _stats(X, ddof=1)
    result = {
        "y": Derived(out.tolist(), atol=float_tolerance(_tolerance(X, g, b, mean, var, e)),
                     why="mean and biased variance of N numbers (~N ulps of the column's size), "
                         "then one division by sqrt(var + eps): 8 N u |x| / sqrt(var+eps) |gamma|, x4"),
        "mean": exact(mean), "var": exact(var),
        "unbiased": exact(_bn(X, g, b, mean1, var1, e).tolist(), "variance with ddof = 1"),
        "eps_outside": exact(_bn(X, g, b, mean, var, e, eps_outside=True).tolist(),
                             "divided by sqrt(var) + eps"),
    }
    if X.rows == X.cols:   # statistics over the wrong axis give an array of the same shape
        T = X.T
        mt, vt = _stats(T)
        result["wrong_axis"] = exact(_bn(T, g, b, mt, vt, e).T.tolist(), "statistics over axis 1")
    return result


@derivation
def batchnorm_inference(x, gamma, beta, running_mean, running_var, eps="1/100000"):
    """Inference-mode batchnorm with the running statistics; the batch statistics as the mistake."""
    X = rational_matrix(x)
    g = [rational(v) for v in gamma]
    b = [rational(v) for v in beta]
    rm = [rational(v) for v in running_mean]
    rv = [rational(v) for v in running_var]
    e = rational(eps)
    out = _bn(X, g, b, rm, rv, e)
    mean, var = _stats(X)
    worst = 0
    for j in range(X.cols):
        mag = max(abs(to_mpf(X[i, j] - rm[j])) for i in range(X.rows))
        worst = max(worst, 6 * U * (mag / to_mpf(sp.sqrt(rv[j] + e)) * abs(to_mpf(g[j]))
                                    + abs(to_mpf(b[j]))))
    return {"y": Derived(out.tolist(), atol=float_tolerance(worst),
                         why="one subtraction, sqrt, division, product and sum: 6 ulps of the terms"),
            "batch_stats": exact(_bn(X, g, b, mean, var, e).tolist(),
                                 "normalised with the batch's own mean and variance")}
