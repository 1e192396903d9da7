"""Minibatch SGD on least squares: the exact gradient of every batch of a small data set (whose
mean is checked to be the full gradient: the estimate is unbiased), and the exact trajectory for
every sequence of batches an epoch-wise shuffle can produce, so a test replays the Generator and
looks its batches up."""

from __future__ import annotations

import itertools
import json

import sympy as sp

from ..derive import U, Derived, exact, float_tolerance, inf_norm, propagated_rounding, rational, \
    rational_matrix, to_mpf
from ..registry import derivation


def _batch_gradient(X, y, w, batch, divide_by=None):
    rows = list(batch)
    Xb = X.extract(rows, list(range(X.cols)))
    yb = y.extract(rows, [0])
    return Xb.T * (Xb * w - yb) / (divide_by if divide_by is not None else len(rows))


def batch_key(batches) -> str:
    """The spelling of a sequence of batches (each a set of indices) used as a field name."""
    return json.dumps([sorted(int(i) for i in b) for b in batches], separators=(",", ":"))


@derivation
def minibatch_gradients_all(X, y, w, batch_size):
    """g_B for every batch B of the given size (itertools.combinations order), the full gradient,
    and the two known wrong answers (summed; divided by n)."""
    Xm, ym, wm = rational_matrix(X), rational_matrix(y), rational_matrix(w)
    n = Xm.rows
    batches = list(itertools.combinations(range(n), batch_size))
    grads = [_batch_gradient(Xm, ym, wm, b) for b in batches]
    full = _batch_gradient(Xm, ym, wm, range(n))
    mean = sum(grads, sp.zeros(Xm.cols, 1)) / len(grads)
    assert mean == full, "the minibatch gradient is an unbiased estimate of the full one"
    size = max(abs(to_mpf(a)) for a in list(Xm) + list(ym) + list(wm))
    atol = float_tolerance(8 * (Xm.cols + batch_size + 2) * U * batch_size * size ** 2 * (Xm.cols + 1))
    return {"gradients": Derived([list(g) for g in grads], atol=atol,
                                 why="the rounded inputs, a batch of products and sums: 8 (d + |B| + 2) ulps "
                                     "of |B| (d + 1) max|entry|^2, x4"),
            "full": Derived(list(full), atol=2 * atol,
                            why="the mean over every batch (asserted equal to the full gradient): each "
                                "estimate's tolerance, twice for the averaging"),
            "summed": exact([list(g * batch_size) for g in grads], "X_B.T (X_B w - y_B), not divided"),
            "over_n": exact([list(g * batch_size / n) for g in grads], "divided by n instead of |B|")}


def _epoch_orders(n, batch_size):
    seen = {}
    for order in itertools.permutations(range(n)):
        batches = [tuple(sorted(order[s:s + batch_size])) for s in range(0, n, batch_size)]
        seen.setdefault(tuple(batches), None)
    return list(seen)


@derivation
def minibatch_sgd_all_orders(X, y, w0, eta, batch_size, num_epochs):
    """The exact trajectory of minibatch SGD for every sequence of epoch batches (field: the
    sequence's batch_key), and the trajectory dropping each epoch's incomplete last batch."""
    Xm, ym, w = rational_matrix(X), rational_matrix(y), rational_matrix(w0)
    eta = rational(eta)
    n, d = Xm.shape
    epochs = _epoch_orders(n, batch_size)
    result = {}
    lips = {}
    for b in {bb for e in epochs for bb in e}:
        Xb = Xm.extract(list(b), list(range(d)))
        lips[b] = inf_norm((sp.eye(d) - eta * Xb.T * Xb / len(b)).tolist())
    for sequence in itertools.product(epochs, repeat=num_epochs):
        flat = [b for epoch in sequence for b in epoch]
        for variant, batches in (("", flat), ("drop_last:", [b for b in flat if len(b) == batch_size])):
            if variant and len(batches) == len(flat):
                continue
            ws, local = [w], []
            for b in batches:
                g = _batch_gradient(Xm, ym, ws[-1], b)
                local.append(8 * (d + len(b) + 3) * U * (max(abs(to_mpf(a)) for a in ws[-1])
                                                          + to_mpf(eta) * max(abs(to_mpf(a)) for a in g) + 1)
                             * (1 + max(abs(to_mpf(a)) for a in list(Xm) + list(ym))) ** 2)
                ws.append(ws[-1] - eta * g)
            if variant:
                result[variant + batch_key(flat)] = exact([list(v) for v in ws], "the incomplete batches left out")
            else:
                bound = propagated_rounding(local, [lips[b] for b in batches])[-1]
                result[batch_key(flat)] = Derived([list(v) for v in ws], atol=float_tolerance(bound),
                                                  why="per step ~(d + |B| + 3) roundings of the sizes of w, "
                                                      "eta g and the data, magnified by |I - eta X_B^T X_B / |B||")
    return result
