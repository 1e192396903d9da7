"""Adadelta and Nadam: one step from an exact state, with sympy's exact square roots (50 digits),
and the steps three known mistakes take instead."""

from __future__ import annotations

import sympy as sp

from ..derive import U, Derived, exact, float_tolerance, rational, rational_matrix, to_mpf
from ..registry import derivation


def _flat(value):
    """A parameter (scalar, vector or matrix, exact strings) as a list of Rationals and its shape."""
    if not isinstance(value, (list, tuple)):
        return [rational(value)], None
    M = rational_matrix(value)
    shape = (M.rows,) if not isinstance(value[0], (list, tuple)) else (M.rows, M.cols)
    return list(M), shape


def _shaped(values, shape):
    if shape is None:
        return values[0]
    if len(shape) == 1:
        return list(values)
    rows, cols = shape
    return [list(values[r * cols:(r + 1) * cols]) for r in range(rows)]


def _bound(terms, shape, why):
    """Derived value per entry, held to ``float_tolerance`` of the worst entry's rounding bound."""
    values = [v for v, _ in terms]
    worst = max(to_mpf(b) for _, b in terms)
    return Derived(_shaped(values, shape), atol=float_tolerance(worst), why=why)


@derivation
def adadelta_step_exact(x, g, s, delta, hyper=None):
    """s' = rho s + (1-rho) g^2; u = sqrt(delta+eps)/sqrt(s'+eps) g; x' = x - u;
    delta' = rho delta + (1-rho) u^2 (Zeiler's defaults rho = 19/20, eps = 10^-6)."""
    hyper = hyper or {}
    rho, eps = rational(hyper.get("rho", "19/20")), rational(hyper.get("eps", "1/1000000"))
    X, shape = _flat(x)
    G, S, D = _flat(g)[0], _flat(s)[0], _flat(delta)[0]
    out = {"x": [], "s": [], "delta": [], "eps_outside_x": [], "stale_s_x": [], "delta_from_gradient": []}
    for xi, gi, si, di in zip(X, G, S, D):
        s_new = rho * si + (1 - rho) * gi ** 2
        u = sp.sqrt(di + eps) / sp.sqrt(s_new + eps) * gi
        x_new = xi - u
        d_new = rho * di + (1 - rho) * u ** 2
        # each result rounds ~8 operations of the size of its largest term
        out["x"].append((x_new, 8 * U * (abs(to_mpf(xi)) + abs(to_mpf(u)))))
        out["s"].append((s_new, 8 * U * (abs(to_mpf(si)) + to_mpf(gi ** 2))))
        out["delta"].append((d_new, 16 * U * (abs(to_mpf(di)) + to_mpf(u ** 2))))
        out["eps_outside_x"].append(xi - (sp.sqrt(di) + eps) / (sp.sqrt(s_new) + eps) * gi)
        out["stale_s_x"].append(xi - sp.sqrt(di + eps) / sp.sqrt(si + eps) * gi)
        out["delta_from_gradient"].append(rho * di + (1 - rho) * gi ** 2)
    why = "a handful of float64 operations per entry: 8 ulps (16 for delta, which squares u) of the largest term, x4"
    return {"x": _bound(out["x"], shape, why), "s": _bound(out["s"], shape, why),
            "delta": _bound(out["delta"], shape, why),
            "eps_outside_x": exact(_shaped(out["eps_outside_x"], shape), "(sqrt(delta) + eps) / (sqrt(s) + eps)"),
            "stale_s_x": exact(_shaped(out["stale_s_x"], shape), "the old s in the denominator"),
            "delta_from_gradient": exact(_shaped(out["delta_from_gradient"], shape),
                                         "delta accumulates g^2 instead of the update's square")}


@derivation
def nadam_step_exact(x, g, v, s, t, eta, hyper=None):
    """Adam's moments and bias corrections, then x' = x - eta (b1 v_hat + (1-b1) g/(1-b1^t)) /
    (sqrt(s_hat) + eps) (Dozat's defaults b1 = 9/10, b2 = 999/1000, eps = 10^-8)."""
    hyper = hyper or {}
    b1, b2 = rational(hyper.get("beta1", "9/10")), rational(hyper.get("beta2", "999/1000"))
    eps, eta = rational(hyper.get("eps", "1/100000000")), rational(eta)
    X, shape = _flat(x)
    G, V, S = _flat(g)[0], _flat(v)[0], _flat(s)[0]
    c1, c2 = 1 - b1 ** t, 1 - b2 ** t
    # float64 computes beta**t from a rounded beta: relative error ~ t u beta^t / (1 - beta^t) in
    # 1 - beta^t, which the bias corrections pass on (halved for s under the root)
    rel = 8 * U + (t + 4) * U / to_mpf(c1) + (t + 4) * U / to_mpf(c2)
    out = {k: [] for k in ("x", "v", "s", "no_bias_correction_x", "plain_adam_x", "gradient_uncorrected_x")}
    for xi, gi, vi, si in zip(X, G, V, S):
        v_new = b1 * vi + (1 - b1) * gi
        s_new = b2 * si + (1 - b2) * gi ** 2
        v_hat, s_hat = v_new / c1, s_new / c2
        den = sp.sqrt(s_hat) + eps
        step = eta * (b1 * v_hat + (1 - b1) * gi / c1) / den
        out["x"].append((xi - step, rel * abs(to_mpf(step)) + 4 * U * abs(to_mpf(xi))))
        out["v"].append((v_new, 8 * U * (abs(to_mpf(vi)) + abs(to_mpf(gi)))))
        out["s"].append((s_new, 8 * U * (abs(to_mpf(si)) + to_mpf(gi ** 2))))
        out["no_bias_correction_x"].append(xi - eta * (b1 * v_new + (1 - b1) * gi) / (sp.sqrt(s_new) + eps))
        out["plain_adam_x"].append(xi - eta * v_hat / den)
        out["gradient_uncorrected_x"].append(xi - eta * (b1 * v_hat + (1 - b1) * gi) / den)
    why_x = ("8 ulps of the step plus (t + 4) ulps / (1 - beta^t) for each bias correction (beta^t from "
             "a rounded beta), and 4 ulps of x, x4")
    why = "two products and a sum: 8 ulps of the largest term, x4"
    result = {"x": _bound(out["x"], shape, why_x), "v": _bound(out["v"], shape, why),
              "s": _bound(out["s"], shape, why)}
    for key in ("no_bias_correction_x", "plain_adam_x", "gradient_uncorrected_x"):
        result[key] = exact(_shaped(out[key], shape), key.replace("_", " "))
    return result
