"""Minibatch stochastic gradient descent on a data set.

The loss of a model on a training set of ``n`` examples is the mean of the examples' losses.
Here the model is linear and the loss the squared error::

    E(w) = (1/n) * sum_i (x_i . w - y_i)**2 / 2,      grad E(w) = (1/n) * X.T @ (X @ w - y)

Computing the full gradient costs a pass over all ``n`` examples. Minibatch SGD instead uses the
same formula on a few examples at a time: a *batch* ``B`` of indices gives::

    g_B(w) = (1/|B|) * X_B.T @ (X_B @ w - y_B)

Drawn at random, ``g_B`` is an *unbiased* estimate of the full gradient: averaged over every
possible batch of the same size it is exactly ``grad E(w)``, since each example appears in the
same number of batches. Each epoch shuffles the examples (sampling *without replacement*: every
example is used exactly once per epoch) and cuts the shuffled order into batches.

Conventions: ``X`` has shape ``(n, d)``, ``y`` shape ``(n,)``, ``w`` shape ``(d,)``; ``rng`` is a
``numpy.random.Generator``. Functions return new float64 arrays (integer arrays for indices) and
never modify their inputs.
"""

from __future__ import annotations

import numpy as np


def minibatch_indices(n, batch_size, rng):
    """The batches of one epoch: a random order of ``0..n-1`` cut into consecutive pieces.

    Draw the order with exactly one call, ``order = rng.permutation(n)``, then cut it into
    ``order[0:batch_size]``, ``order[batch_size:2*batch_size]``, ... . When ``batch_size`` does
    not divide ``n`` the last batch is smaller; keep it, or the same examples would be left out
    of the epoch's pass with a probability that depends on where they land.

    Args:
        n: the number of examples.
        batch_size: the batch size, ``1 <= batch_size``.
        rng: a ``numpy.random.Generator``.

    Returns:
        A list of ``ceil(n / batch_size)`` integer arrays which together hold every index once.

    Example:
        If ``rng.permutation(5)`` returns ``[3, 0, 4, 1, 2]``, ``batch_size = 2`` gives
        ``[array([3, 0]), array([4, 1]), array([2])]``.
    """
    raise NotImplementedError("minibatch_indices: write this function (its docstring is the assignment)")


def minibatch_gradient(X, y, w, batch):
    """The least-squares gradient on the examples of ``batch`` only, averaged over the batch.

    ::

        g_B = X[batch].T @ (X[batch] @ w - y[batch]) / len(batch)

    Divide by the batch's size, not by ``n``: the estimate must have the full gradient's scale
    whatever the batch size (a batch of all ``n`` examples gives exactly the full gradient).

    Args:
        X: inputs, shape ``(n, d)``; y: targets, shape ``(n,)``; w: weights, shape ``(d,)``;
        batch: the indices of the examples in the batch, a sequence of ints.

    Returns:
        The gradient estimate, a float64 array of shape ``(d,)``.

    Example:
        ``X = [[1, 0], [0, 2], [1, 1]]``, ``y = [1, 2, 0]``, ``w = [0, 0]``, ``batch = [0, 1]``:
        the residuals are ``[-1, -2]`` and ``g = ([-1, 0] + [0, -4]) / 2 = [-0.5, -2]``.
    """
    raise NotImplementedError("minibatch_gradient: write this function (its docstring is the assignment)")


def minibatch_sgd(X, y, w0, eta, batch_size, num_epochs, rng):
    """Minibatch SGD for ``num_epochs`` epochs; returns every iterate.

    ::

        for each epoch:
            for batch in minibatch_indices(n, batch_size, rng):   # one rng.permutation(n) per epoch
                w = w - eta * minibatch_gradient(X, y, w, batch)

    Draw nothing else from ``rng``, so that the same seed replays the same trajectory.

    Args:
        X, y: the data set; w0: starting weights, shape ``(d,)``; eta: learning rate;
        batch_size: examples per batch; num_epochs: passes over the data; rng: a Generator.

    Returns:
        float64 array of shape ``(num_epochs * ceil(n / batch_size) + 1, d)``; row 0 is ``w0``.

    Example:
        With ``batch_size = n`` every batch is the whole set and this is gradient descent on
        ``E``; with ``batch_size = 1`` it is SGD one example at a time.
    """
    raise NotImplementedError("minibatch_sgd: write this function (its docstring is the assignment)")
