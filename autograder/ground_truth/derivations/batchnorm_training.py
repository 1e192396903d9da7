"""Batch normalisation in training, completed: the backward pass by sympy differentiation of the
forward expression (small N and D, exact square roots), and the running statistics' exact
moving averages."""

from __future__ import annotations

import sympy as sp

from ..derive import U, Derived, exact, float_tolerance, rational, rational_matrix, to_mpf
from ..registry import derivation


def _forward(X, gamma, beta, eps):
    """The training-mode forward pass as an expression in the entries of X (biased variance)."""
    n, d = X.shape
    out = sp.zeros(n, d)
    for j in range(d):
        mean = sum(X[:, j]) / n
        var = sum((X[i, j] - mean) ** 2 for i in range(n)) / n
        for i in range(n):
            out[i, j] = gamma[j] * (X[i, j] - mean) / sp.sqrt(var + eps) + beta[j]
    return out


@derivation
def batchnorm_backward_exact(x, gamma, dout, eps="1/100000"):
    """dL/dx, dL/dgamma, dL/dbeta for L = sum(dout * batchnorm_forward(x)), by differentiating the
    forward expression symbolically, then substituting the exact inputs."""
    Xv, Dv = rational_matrix(x), rational_matrix(dout)
    n, d = Xv.shape
    e = rational(eps)
    Xs = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}_{j}"))
    gs = [sp.Symbol(f"g{j}") for j in range(d)]
    bs = [sp.Symbol(f"b{j}") for j in range(d)]
    L = sum(Dv[i, j] * _forward(Xs, gs, bs, e)[i, j] for i in range(n) for j in range(d))
    at = {Xs[i, j]: Xv[i, j] for i in range(n) for j in range(d)}
    at.update({gs[j]: rational(gamma[j]) for j in range(d)})
    at.update({bs[j]: 0 for j in range(d)})
    dx = [[sp.diff(L, Xs[i, j]).subs(at) for j in range(d)] for i in range(n)]
    dgamma = [sp.diff(L, g).subs(at) for g in gs]
    dbeta = [sp.diff(L, b).subs(at) for b in bs]
    # known wrong answers, from the same statistics
    mean = [sum(Xv[:, j]) / n for j in range(d)]
    var = [sum((Xv[i, j] - mean[j]) ** 2 for i in range(n)) / n for j in range(d)]
    std = [sp.sqrt(v + e) for v in var]
    constant_stats = [[rational(gamma[j]) * Dv[i, j] / std[j] for j in range(d)] for i in range(n)]
    mean_path_only = [[rational(gamma[j]) / std[j] * (Dv[i, j] - sum(Dv[:, j]) / n) for j in range(d)]
                      for i in range(n)]
    dgamma_from_x = [sum(Dv[i, j] * Xv[i, j] for i in range(n)) for j in range(d)]
    # rounding: x_hat carries ~N ulps of (|x| + |mean|) / std; dx is gamma/std times sums of N
    # terms of size |dout| (1 + |x_hat|^2)
    worst_dx, worst_dg, worst_db = 0, 0, 0
    for j in range(d):
        s = to_mpf(std[j])
        xmag = max(abs(to_mpf(Xv[i, j])) for i in range(n)) + abs(to_mpf(mean[j]))
        xhat = xmag / s
        dmag = max(abs(to_mpf(Dv[i, j])) for i in range(n))
        worst_dx = max(worst_dx, 16 * n * U * abs(to_mpf(rational(gamma[j]))) / s * dmag * (1 + xhat) ** 2)
        worst_dg = max(worst_dg, 16 * n * U * dmag * (1 + xhat))
        worst_db = max(worst_db, 4 * n * U * dmag)
    why = ("the batch statistics carry ~N ulps, x_hat ~N ulps of (|x| + |mean|) / std; dx sums N terms "
           "of size |gamma| / std * |dout| (1 + |x_hat|)^2: 16 N u times that, x4")
    return {"dx": Derived(dx, atol=float_tolerance(worst_dx), why=why),
            "dgamma": Derived(dgamma, atol=float_tolerance(worst_dg), why="N products dout * x_hat: 16 N u |dout| (1 + |x_hat|), x4"),
            "dbeta": Derived(dbeta, atol=float_tolerance(worst_db), why="a sum of N numbers: 4 N u |dout|, x4"),
            "constant_stats_dx": exact(constant_stats, "mean and variance treated as constants"),
            "mean_path_only_dx": exact(mean_path_only, "the path through the variance left out"),
            "dgamma_from_x": exact(dgamma_from_x, "sum of dout * x instead of dout * x_hat")}


@derivation
def running_stats_sequence(batches, mean0, var0, momentum="99/100"):
    """The running mean and variance after each batch of ``batches``, exactly, and the known wrong
    sequences (momentum as the new value's weight, unbiased variance, standard deviation stored)."""
    m = rational(momentum)
    rm, rv = [rational(v) for v in mean0], [rational(v) for v in var0]
    seqs = {"mean": [], "var": [], "swapped_mean": [], "swapped_var": [], "unbiased_var": [], "std_var": []}
    state = {"right": (rm, rv), "swapped": (rm, rv), "unbiased": (rm, rv), "std": (rm, rv)}
    magnitude = 0
    for batch in batches:
        B = rational_matrix(batch)
        n, d = B.shape
        mean = [sum(B[:, j]) / n for j in range(d)]
        ss = [sum((B[i, j] - mean[j]) ** 2 for i in range(n)) for j in range(d)]
        var, var1 = [s / n for s in ss], [s / (n - 1) for s in ss]
        magnitude = max([magnitude] + [abs(to_mpf(B[i, j])) for i in range(n) for j in range(d)])

        def step(prev, new_mean, new_var, weight):
            pm, pv = prev
            return ([weight * a + (1 - weight) * b for a, b in zip(pm, new_mean)],
                    [weight * a + (1 - weight) * b for a, b in zip(pv, new_var)])
        state["right"] = step(state["right"], mean, var, m)
        state["swapped"] = step(state["swapped"], mean, var, 1 - m)
        state["unbiased"] = step(state["unbiased"], mean, var1, m)
        state["std"] = step(state["std"], mean, [sp.sqrt(v) for v in var], m)
        seqs["mean"].append(state["right"][0])
        seqs["var"].append(state["right"][1])
        seqs["swapped_mean"].append(state["swapped"][0])
        seqs["swapped_var"].append(state["swapped"][1])
        seqs["unbiased_var"].append(state["unbiased"][1])
        seqs["std_var"].append(state["std"][1])
    steps = len(batches)
    # each update rounds ~N + 4 operations of the batch's size (squared for the variance), and a
    # moving average never magnifies an earlier error (weights momentum and 1 - momentum sum to 1)
    n = max(len(b) for b in batches)
    tol_mean = 8 * (n + 4) * U * (magnitude + max(abs(to_mpf(v)) for v in rm)) * steps
    tol_var = 8 * (n + 4) * U * (4 * magnitude ** 2 + max(abs(to_mpf(v)) for v in rv)) * steps
    why = "per update ~N + 4 roundings of the batch's size (squared for the variance), not magnified: x steps, x4"
    return {"mean": Derived(seqs["mean"], atol=float_tolerance(tol_mean), why=why),
            "var": Derived(seqs["var"], atol=float_tolerance(tol_var), why=why),
            "swapped_mean": exact(seqs["swapped_mean"], "momentum weighting the new value"),
            "swapped_var": exact(seqs["swapped_var"], "momentum weighting the new value"),
            "unbiased_var": exact(seqs["unbiased_var"], "batch variance divided by N - 1"),
            "std_var": exact(seqs["std_var"], "the batch standard deviation averaged in")}
