"""Symmetry breaking: why a network's weights must not start all equal.

A network with one hidden layer of ``h`` tanh units and a linear output::

    H   = tanh(X @ W1)          # X: (m, n) batch, W1: (n, h), H: (m, h)
    out = H @ W2                # W2: (h, k), out: (m, k)
    E   = sum((out - y)**2) / (2 * m)

Hidden unit ``j`` owns column ``j`` of ``W1`` and row ``j`` of ``W2``. If two units start with the
same incoming and outgoing weights they compute the same function, so the gradient treats them
alike: their columns of ``dW1`` and rows of ``dW2`` are equal, gradient descent changes them by
the same amount, and they stay identical for ever. With a constant initialisation *every* unit is
the same, and the layer behaves like a single unit however wide it is. With all weights zero it
is worse still for tanh: ``H = 0``, so ``dW2 = 0``, and ``W2 = 0`` makes ``dW1 = 0``: nothing ever
moves. Random initialisation gives each unit its own weights, which breaks the tie.

Conventions: float64 arrays of the shapes above; functions return new arrays and never modify
their inputs.
"""

from __future__ import annotations

import numpy as np


def two_layer_gradients(X, y, W1, W2):
    """The gradients of ``E`` with respect to ``W1`` and ``W2``.

    With ``R = (out - y) / m`` (the derivative of ``E`` with respect to ``out``)::

        dW2 = H.T @ R                                # (h, k)
        dW1 = X.T @ ((R @ W2.T) * (1 - H**2))        # (n, h): tanh' = 1 - tanh**2

    Both use the batch's mean (the ``1/m``), and ``dW1`` goes back through the activation's
    derivative at every hidden unit.

    Args:
        X: inputs ``(m, n)``; y: targets ``(m, k)``; W1: ``(n, h)``; W2: ``(h, k)``.

    Returns:
        ``(dW1, dW2)``, float64 arrays shaped like ``W1`` and ``W2``.

    Example:
        ``X = [[1, 0]]``, ``y = [[1]]``, ``W1 = [[0, 0], [0, 0]]``, ``W2 = [[1], [1]]``:
        ``H = [[0, 0]]``, ``out = [[0]]``, ``R = [[-1]]``; ``dW2 = [[0], [0]]`` and
        ``dW1 = [[1], [0]] @ ([[-1]] @ [[1, 1]] * 1) = [[-1, -1], [0, 0]]``: both hidden units
        get the same column, so they stay equal.
    """
    X = np.asarray(X, dtype=np.float64)
    W2 = np.asarray(W2, dtype=np.float64)
    H = np.tanh(X @ np.asarray(W1, dtype=np.float64))
    R = (H @ W2 - np.asarray(y, dtype=np.float64)) / X.shape[0]
    return X.T @ ((R @ W2.T) * (1.0 - H * H)), H.T @ R


def train_two_layer(X, y, W1, W2, eta, steps):
    """Plain gradient descent on both layers at once; returns the final ``(W1, W2)``.

    Each step computes *both* gradients at the current weights, then updates both::

        dW1, dW2 = two_layer_gradients(X, y, W1, W2)
        W1, W2 = W1 - eta * dW1, W2 - eta * dW2

    (Updating ``W2`` first and then taking ``dW1`` at the new ``W2`` is a different algorithm.)

    Args:
        X, y, W1, W2: as in :func:`two_layer_gradients`; eta: learning rate; steps: number of steps.

    Returns:
        ``(W1, W2)`` after ``steps`` steps, new float64 arrays.

    Example:
        From ``W1`` and ``W2`` all zero nothing moves: ``train_two_layer(X, y, 0, 0, eta, 100)``
        returns the zeros it was given, whatever ``X`` and ``y``.
    """
    W1 = np.array(W1, dtype=np.float64)
    W2 = np.array(W2, dtype=np.float64)
    for _ in range(steps):
        dW1, dW2 = two_layer_gradients(X, y, W1, W2)
        W1, W2 = W1 - eta * dW1, W2 - eta * dW2
    return W1, W2
