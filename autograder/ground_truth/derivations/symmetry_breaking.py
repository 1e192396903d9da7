"""Symmetry breaking in a one-hidden-layer tanh network: the gradients by sympy's differentiation
of the loss, and gradient descent's weights after a few steps (70-digit evaluation of the exact
gradient expressions), for constant, zero and random-looking initialisations."""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive import U, Derived, exact, float_tolerance, jacobian, propagated_rounding_jac, rational_matrix, to_mpf
from ..registry import derivation


def _network(X, y, n_hidden, k):
    n = X.cols
    W1 = sp.Matrix(n, n_hidden, lambda i, j: sp.Symbol(f"a{i}_{j}"))
    W2 = sp.Matrix(n_hidden, k, lambda i, j: sp.Symbol(f"b{i}_{j}"))
    H = (X * W1).applyfunc(sp.tanh)
    out = H * W2
    E = sum((out[i, j] - y[i, j]) ** 2 for i in range(X.rows) for j in range(k)) / (2 * X.rows)
    return W1, W2, E, H


def _gradient_functions(X, y, shape1, shape2):
    W1, W2, E, H = _network(X, y, shape1[1], shape2[1])
    symbols = list(W1) + list(W2)
    grads = [sp.diff(E, s) for s in symbols]
    # the known wrong gradients, as expressions: tanh' left out of dW1; the batch summed, not averaged
    R = (H * W2 - y) / X.rows
    no_derivative = list(X.T * (R * W2.T)) + list(H.T * R)
    return symbols, grads, no_derivative, E


@derivation
def two_layer_gradients_exact(X, y, W1, W2):
    Xm, ym, A, B = rational_matrix(X), rational_matrix(y), rational_matrix(W1), rational_matrix(W2)
    symbols, grads, no_derivative, _ = _gradient_functions(Xm, ym, A.shape, B.shape)
    at = dict(zip(symbols, list(A) + list(B)))
    values = [g.subs(at) for g in grads]
    wrong = [g.subs(at) for g in no_derivative]
    n1 = A.rows * A.cols

    def shaped(flat, rows, cols):
        return [[flat[r * cols + c] for c in range(cols)] for r in range(rows)]
    m = Xm.rows
    size = max([abs(to_mpf(a)) for a in list(Xm) + list(ym) + list(A) + list(B)] + [1])
    atol = float_tolerance(16 * (Xm.cols + A.cols + B.cols + m) * U * size ** 3)
    why = "tanh and a few sums of products per entry: 16 (n + h + k + m) ulps of max|entry|^3, x4"
    return {"dW1": Derived(shaped(values[:n1], A.rows, A.cols), atol=atol, why=why),
            "dW2": Derived(shaped(values[n1:], B.rows, B.cols), atol=atol, why=why),
            "no_derivative_dW1": exact(shaped(wrong[:n1], A.rows, A.cols), "tanh' = 1 - H**2 left out"),
            "summed_dW1": exact(shaped([v * m for v in values[:n1]], A.rows, A.cols), "the batch summed"),
            "summed_dW2": exact(shaped([v * m for v in values[n1:]], B.rows, B.cols), "the batch summed")}


@derivation
def two_layer_training(X, y, W1, W2, eta, steps):
    """W1, W2 after ``steps`` simultaneous gradient-descent steps, at 70 digits; and the weights
    of the sequential variant (W2 updated first, dW1 taken at the new W2)."""
    Xm, ym, A, B = rational_matrix(X), rational_matrix(y), rational_matrix(W1), rational_matrix(W2)
    symbols, grads, _, _ = _gradient_functions(Xm, ym, A.shape, B.shape)
    grad = sp.lambdify(symbols, grads, "mpmath")
    n1 = A.rows * A.cols
    lr = mpmath.mpf(sp.Rational(eta).p) / sp.Rational(eta).q

    def step(w):
        g = grad(*w)
        return [a - lr * b for a, b in zip(w, g)]

    def sequential(w):
        g = grad(*w)
        w2 = [a - lr * b for a, b in zip(w[n1:], g[n1:])]
        g1 = grad(*(list(w[:n1]) + w2))
        return [a - lr * b for a, b in zip(w[:n1], g1[:n1])] + w2

    w = [to_mpf(v) for v in list(A) + list(B)]
    ws, wrong = [w], w
    for _ in range(steps):
        ws.append(step(ws[-1]))
        wrong = sequential(wrong)
    size = max([abs(to_mpf(a)) for a in list(Xm) + list(ym)] + [1])
    local = [16 * (Xm.cols + A.cols + B.cols + Xm.rows) * U * (max(abs(v) for v in wk) + 1) ** 3 * size ** 2
             for wk in ws[:-1]]
    jacs = [jacobian(step, wk) for wk in ws[:-1]]
    bound = max(propagated_rounding_jac(local, jacs)) if steps else 0

    def shaped(flat, rows, cols):
        return [[flat[r * cols + c] for c in range(cols)] for r in range(rows)]
    why = ("per step 16 (n + h + k + m) ulps of (max|W| + 1)^3 max|data|^2, magnified by the Jacobian of "
           "the gradient-descent map, x4")
    final = ws[-1]
    return {"W1": Derived(shaped(final[:n1], A.rows, A.cols), atol=float_tolerance(bound), why=why),
            "W2": Derived(shaped(final[n1:], B.rows, B.cols), atol=float_tolerance(bound), why=why),
            "sequential_W1": exact(shaped(wrong[:n1], A.rows, A.cols), "dW1 taken after W2 moved"),
            "sequential_W2": exact(shaped(wrong[n1:], B.rows, B.cols), "dW1 taken after W2 moved")}
