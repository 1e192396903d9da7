"""Batch normalisation: the forward pass in training and at inference time, the backward pass,
and the running statistics that connect the two.

Conventions used throughout this module
---------------------------------------
* ``x`` is a mini-batch of shape ``(N, D)``: ``N`` examples (rows), ``D`` features (columns).
* ``gamma`` (scale) and ``beta`` (shift) are learned parameters of shape ``(D,)``, one per
  feature; so are ``running_mean`` and ``running_var``.
* Every function returns new float64 arrays (of shape ``(N, D)`` for the forward passes) and
  never modifies its inputs.

Why normalise: a layer's inputs keep changing scale while the layers before it train, and a
badly scaled input makes the loss surface elongated (a large ratio between the largest and
smallest curvature), which forces a small learning rate (see
``second_order.max_stable_learning_rate``). Batch normalisation rescales each feature to mean 0
and variance 1 over the batch, then lets the network choose the scale and shift it wants back
through ``gamma`` and ``beta``.
"""

from __future__ import annotations

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Batch normalisation in training mode: normalise each feature with the batch statistics.

    For every feature (column) ``j``, over the ``N`` examples of the batch (axis 0)::

        mean_j = (1/N) * sum_i x[i, j]
        var_j  = (1/N) * sum_i (x[i, j] - mean_j)**2         # biased: divide by N, not N - 1
        out[i, j] = gamma_j * (x[i, j] - mean_j) / sqrt(var_j + eps) + beta_j

    Statistics are per *feature*, over the *batch* (axis 0), not per example. The variance is the
    biased one (``np.var``'s default, ``ddof=0``), as in the original paper's normalisation step
    and in Keras and PyTorch. ``eps`` keeps the division finite when a feature is constant in the
    batch. Afterwards every column of ``out`` has mean ``beta_j`` and standard deviation
    ``|gamma_j| * sqrt(var_j / (var_j + eps))``, that is about ``|gamma_j|``.

    Args:
        x: the batch, shape ``(N, D)``.
        gamma: scale, shape ``(D,)``.
        beta: shift, shape ``(D,)``.
        eps: a small float > 0 added to the variance.

    Returns:
        The normalised batch, a new float64 array of shape ``(N, D)`` (only the output: no cache
        of intermediate values).

    Raises:
        ValueError: if ``x`` is not two-dimensional.

    Example:
        ``x = [[1, 2], [3, 6]]``, ``gamma = [2, 0.5]``, ``beta = [0, 1]``, ``eps = 0``: the column
        means are ``[2, 4]``, the biased variances ``[1, 4]`` (standard deviations ``[1, 2]``),
        so the normalised batch is ``[[-1, -1], [1, 1]]`` and
        ``out = [[-2, 0.5], [2, 1.5]]``.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (N, D), got shape {x.shape}")
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return np.asarray(gamma, dtype=np.float64) * x_hat + np.asarray(beta, dtype=np.float64)


def batchnorm_inference(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """Batch normalisation at inference time: use the stored statistics, not the batch's.

    ::

        out[i, j] = gamma_j * (x[i, j] - running_mean_j) / sqrt(running_var_j + eps) + beta_j

    At test time a batch may hold a single example, and a prediction must not depend on which
    other examples happen to share its batch, so the layer uses fixed estimates of the mean and
    variance gathered during training (Keras keeps exponential moving averages of the batch
    statistics, its ``moving_mean`` and ``moving_variance``). The output is then an affine
    function of ``x``, applied to each row on its own.

    Args:
        x: inputs, shape ``(N, D)``.
        gamma, beta: scale and shift, shape ``(D,)``.
        running_mean, running_var: the stored per-feature mean and variance, shape ``(D,)``.
        eps: the same small constant as in training.

    Returns:
        A new float64 array of shape ``(N, D)``.

    Example:
        ``x = [[1, 2], [3, 0]]``, ``running_mean = [0, 1]``, ``running_var = [4, 0.25]``,
        ``gamma = [2, 1]``, ``beta = [1, -1]``, ``eps = 0``: the normalised inputs are
        ``[[0.5, 2], [1.5, -2]]`` (divide by the standard deviations ``[2, 0.5]``) and
        ``out = [[2, 1], [4, -3]]``.
    """
    x = np.asarray(x, dtype=np.float64)
    scale = np.asarray(gamma, dtype=np.float64) / np.sqrt(np.asarray(running_var, dtype=np.float64) + eps)
    return (x - np.asarray(running_mean, dtype=np.float64)) * scale + np.asarray(beta, dtype=np.float64)


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """The backward pass of training-mode batch normalisation: gradients for x, gamma and beta.

    The forward pass (:func:`batchnorm_forward`) computes, per feature ``j``,
    ``x_hat = (x - mean) / sqrt(var + eps)`` and ``out = gamma * x_hat + beta``. Given
    ``dout = dL/dout`` (shape ``(N, D)``), the chain rule gives::

        dbeta_j  = sum_i dout[i, j]
        dgamma_j = sum_i dout[i, j] * x_hat[i, j]
        dx[i, j] = gamma_j / (N * sqrt(var_j + eps))
                   * (N * dout[i, j] - sum_k dout[k, j] - x_hat[i, j] * sum_k dout[k, j] * x_hat[k, j])

    The last line is the subtle one. ``mean`` and ``var`` are computed from the batch, so every
    ``x[k, j]`` moves every output of its column: the two sums are the paths through the mean
    and through the variance. Treating them as constants (``dx = gamma * dout / sqrt(var + eps)``)
    is the gradient of the *inference* layer, not of this one. A consequence worth checking: each
    column of ``dx`` sums to zero, since adding a constant to a column changes nothing downstream.

    Recompute the statistics from ``x`` (the forward pass keeps no cache); use the biased
    variance, as the forward pass does.

    Args:
        dout: upstream gradient, shape ``(N, D)``.
        x: the batch the forward pass saw, shape ``(N, D)``.
        gamma: scale, shape ``(D,)``.
        eps: the forward pass' eps.

    Returns:
        ``(dx, dgamma, dbeta)``: float64 arrays of shapes ``(N, D)``, ``(D,)``, ``(D,)``.

    Example:
        ``x = [[0], [1], [2]]``, ``gamma = [1]``, ``eps = 0``, ``dout = [[1], [0], [0]]``: mean 1,
        variance 2/3, ``x_hat = sqrt(3/2) * [[-1], [0], [1]]``. Then ``dbeta = [1]``,
        ``dgamma = [-sqrt(3/2)] = [-1.2247]`` and
        ``dx = 1 / (3 sqrt(2/3)) * ([[3], [0], [0]] - 1 - x_hat * (-sqrt(3/2)))
        = 0.40825 * [[0.5], [-1], [0.5]] = [[0.2041], [-0.4082], [0.2041]]``, which sums to 0.
        (With two examples ``x_hat`` is always -1 and +1, whatever x is, so ``dx`` is zero.)
    """
    dout = np.asarray(dout, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    mean = x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - mean) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = np.asarray(gamma, dtype=np.float64) * inv_std / n * (n * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def update_running_stats(running_mean, running_var, x, momentum=0.99):
    """One training step's update of the running mean and variance that inference uses.

    During training every batch ``x`` (shape ``(N, D)``) moves the stored statistics a little
    towards its own, as an exponential moving average (the form and default of Keras'
    ``BatchNormalization``, whose ``momentum`` is the weight of the *old* value)::

        batch_mean = mean of x over axis 0
        batch_var  = biased variance of x over axis 0      # divide by N, as the forward pass does
        new_mean   = momentum * running_mean + (1 - momentum) * batch_mean
        new_var    = momentum * running_var  + (1 - momentum) * batch_var

    (PyTorch writes the same average with ``momentum = 0.1`` as the weight of the *new* value and
    stores the unbiased variance, dividing by ``N - 1``; here it is Keras' convention.)
    After training, :func:`batchnorm_inference` takes ``new_mean`` and ``new_var`` as its
    ``running_mean`` and ``running_var``.

    Args:
        running_mean, running_var: the stored statistics, shape ``(D,)`` (start from zeros and
            ones, as Keras does).
        x: this step's batch, shape ``(N, D)``.
        momentum: the weight of the old value, in [0, 1].

    Returns:
        ``(new_mean, new_var)``, new float64 arrays of shape ``(D,)``.

    Example:
        ``running_mean = [0]``, ``running_var = [1]``, ``x = [[1], [3]]``, ``momentum = 0.9``:
        the batch has mean 2 and biased variance 1, so ``new_mean = 0.9 * 0 + 0.1 * 2 = [0.2]``
        and ``new_var = 0.9 * 1 + 0.1 * 1 = [1.0]``.
    """
    x = np.asarray(x, dtype=np.float64)
    new_mean = momentum * np.asarray(running_mean, dtype=np.float64) + (1.0 - momentum) * x.mean(axis=0)
    new_var = momentum * np.asarray(running_var, dtype=np.float64) + (1.0 - momentum) * x.var(axis=0)
    return new_mean, new_var
