"""First-order optimisers: gradient descent, SGD with schedules, momentum, AdaGrad, RMSProp, Adam,
Adadelta, Nadam.

Conventions used throughout this module
---------------------------------------
* ``x`` is a float or a numpy array of shape ``(d,)``; every function returns new arrays of
  dtype float64 and never modifies its inputs.
* ``grad`` is a function ``grad(x) -> array of the same shape as x``.
* A *trajectory* is an array whose row 0 is ``x0`` and whose row ``k`` is the iterate after ``k``
  updates: shape ``(num_steps + 1,)`` for a scalar ``x0`` and ``(num_steps + 1, d)`` for ``x0`` of
  shape ``(d,)``.
* The ``*_step`` functions perform one update and return the new state; a training loop calls
  them repeatedly, feeding each result back in.
"""

from __future__ import annotations

import math

import numpy as np


def gd(grad, x0, eta, num_steps):
    """Run plain gradient descent and return the whole trajectory.

    Each step moves against the gradient::

        x_{k+1} = x_k - eta * grad(x_k)

    Args:
        grad: function returning the gradient at a point (same shape as the point).
        x0: starting point, a float or an array of shape ``(d,)``.
        eta: learning rate (step size), a float >= 0.
        num_steps: number of updates to perform.

    Returns:
        float64 array of shape ``(num_steps + 1,)`` (scalar ``x0``) or ``(num_steps + 1, d)``;
        row 0 is ``x0``.

    Example:
        f(x) = x^2 has grad(x) = 2x, so each step multiplies x by (1 - 2*eta)::

            >>> gd(lambda x: 2 * x, 10.0, 0.2, 3)
            array([10.  ,  6.  ,  3.6 ,  2.16])

        After 10 steps the iterate is 10 * 0.6**10 = 0.0605 (approximately).
    """
    raise NotImplementedError("gd: write this function (its docstring is the assignment)")


def constant_lr(t):
    """The constant schedule: the learning rate factor is 1 at every step ``t``.

    Example:
        >>> constant_lr(1), constant_lr(100)
        (1.0, 1.0)
    """
    raise NotImplementedError("constant_lr: write this function (its docstring is the assignment)")


def exponential_lr(t, rate=0.1):
    """Exponential decay of the learning rate: ``exp(-rate * t)``.

    The factor shrinks by the same ratio ``exp(-rate)`` every step, so the total distance SGD can
    travel is finite: good late in training, risky if the decay starts too early.

    Example:
        >>> round(exponential_lr(10, rate=0.1), 6)   # exp(-1)
        0.367879
    """
    raise NotImplementedError("exponential_lr: write this function (its docstring is the assignment)")


def polynomial_lr(t, alpha=0.1, power=0.5):
    """Polynomial decay of the learning rate: ``(1 + alpha * t) ** (-power)``.

    With ``power = 0.5`` the factor decays like ``1 / sqrt(t)``, the classic schedule for which
    SGD on a convex problem converges: the sum of the factors diverges while the sum of their
    squares grows only like ``log t``.

    Example:
        >>> polynomial_lr(30, alpha=0.1, power=0.5)   # (1 + 3) ** -0.5
        0.5
    """
    raise NotImplementedError("polynomial_lr: write this function (its docstring is the assignment)")


def sgd(grad, x0, eta, num_steps, rng, noise_std=1.0, lr_schedule=constant_lr):
    """Stochastic gradient descent on a noisy gradient, with a learning-rate schedule.

    We simulate the noise of mini-batch gradients by adding Gaussian noise to the true gradient.
    For step ``t = 1, ..., num_steps``::

        noise_t = rng.normal(0.0, noise_std, size=np.shape(x))     # drawn once per step
        x_t     = x_{t-1} - eta * lr_schedule(t) * (grad(x_{t-1}) + noise_t)

    Draw the noise exactly as written (one call to ``rng.normal`` per step, in this order), so the
    same ``rng`` seed gives the same trajectory as the tests expect.

    Args:
        grad: the exact gradient function.
        x0: starting point, a float or an array of shape ``(d,)``.
        eta: base learning rate.
        num_steps: number of updates.
        rng: a ``numpy.random.Generator``, e.g. ``np.random.default_rng(0)``.
        noise_std: standard deviation of the gradient noise (0 gives plain gradient descent).
        lr_schedule: function of the step number ``t`` (from 1) returning a factor for ``eta``.

    Returns:
        The trajectory, shaped like the result of :func:`gd`.

    Example:
        With ``noise_std=0.0`` and ``constant_lr`` this is exactly ``gd(grad, x0, eta, num_steps)``.
    """
    raise NotImplementedError("sgd: write this function (its docstring is the assignment)")


def momentum_step(x, v, g, eta, beta):
    """One step of gradient descent with (heavy-ball) momentum.

    The velocity ``v`` is a decaying sum of past steps; the point moves by the new velocity::

        v_new = beta * v - eta * g
        x_new = x + v_new

    This is the form of the lecture notes and of Keras' ``SGD(momentum=beta)``. (Some books,
    e.g. d2l, write ``v <- beta*v + g; x <- x - eta*v``: same idea, but ``v`` is scaled
    differently, so the numbers differ when eta changes between steps. Use the form above.)

    Args:
        x: current point, shape ``(d,)`` (or a float).
        v: current velocity, same shape as ``x`` (start from zeros).
        g: gradient at ``x``.
        eta: learning rate.
        beta: momentum coefficient in [0, 1).

    Returns:
        ``(x_new, v_new)``, float64 arrays of the shape of ``x``.

    Example:
        >>> momentum_step(np.array([1.0]), np.array([0.5]), np.array([2.0]), 0.1, 0.9)
        (array([1.25]), array([0.25]))
    """
    raise NotImplementedError("momentum_step: write this function (its docstring is the assignment)")


def nesterov_step(x, v, grad, eta, beta):
    """One step of Nesterov's accelerated gradient: momentum with a look-ahead gradient.

    Instead of the gradient at ``x``, use the gradient where momentum is about to carry us::

        g     = grad(x + beta * v)          # the look-ahead point
        v_new = beta * v - eta * g
        x_new = x + v_new

    Args:
        x: current point, shape ``(d,)`` (or a float).
        v: current velocity, same shape as ``x``.
        grad: gradient *function* (it is called once, at the look-ahead point).
        eta: learning rate.
        beta: momentum coefficient in [0, 1).

    Returns:
        ``(x_new, v_new)``.

    Example:
        For f(x) = x^2 (grad 2x), x = 1, v = 0.5, eta = 0.1, beta = 0.9: the look-ahead point is
        1.45, g = 2.9, v_new = 0.45 - 0.29 = 0.16 and x_new = 1.16.
    """
    raise NotImplementedError("nesterov_step: write this function (its docstring is the assignment)")


def adagrad_step(x, s, g, eta, eps=1e-6):
    """One AdaGrad step: per-coordinate learning rates from the sum of squared gradients.

    ::

        s_new = s + g ** 2
        x_new = x - eta * g / sqrt(s_new + eps)        # eps inside the square root

    Coordinates that have seen large gradients get small steps. Because ``s`` only grows, the
    effective learning rate decays like ``1 / sqrt(t)``.

    Args:
        x: current point; s: accumulated squared gradients (start from zeros); g: gradient at x.
        eta: learning rate; eps: small constant that keeps the division finite.

    Returns:
        ``(x_new, s_new)``.

    Example:
        First step from s = 0 with g = 2, eta = 0.1, eps = 0: s_new = 4 and
        x_new = x - 0.1 * 2 / 2 = x - 0.1 (the first step has length eta whatever g is).
    """
    raise NotImplementedError("adagrad_step: write this function (its docstring is the assignment)")


def rmsprop_step(x, s, g, eta, gamma=0.9, eps=1e-6):
    """One RMSProp step: AdaGrad with a leaky (exponentially weighted) average of g^2.

    ::

        s_new = gamma * s + (1 - gamma) * g ** 2
        x_new = x - eta * g / sqrt(s_new + eps)

    Forgetting old gradients keeps the effective learning rate from decaying to zero.

    Args:
        x, s, g: point, running average of squared gradients (start from zeros), gradient.
        eta: learning rate; gamma: decay of the average in [0, 1); eps: inside the root.

    Returns:
        ``(x_new, s_new)``.

    Example:
        From s = 0 with g = 2, gamma = 0.9: s_new = 0.1 * 4 = 0.4, so the first step is
        eta * 2 / sqrt(0.4) = 3.16 * eta, larger than AdaGrad's.
    """
    raise NotImplementedError("rmsprop_step: write this function (its docstring is the assignment)")


def adam_step(x, v, s, t, g, eta, beta1=0.9, beta2=0.999, eps=1e-6):
    """One Adam step: momentum on g and RMSProp on g^2, both corrected for their zero start.

    With ``t`` the number of this step, counting from 1::

        v_new = beta1 * v + (1 - beta1) * g
        s_new = beta2 * s + (1 - beta2) * g ** 2
        v_hat = v_new / (1 - beta1 ** t)               # bias correction
        s_hat = s_new / (1 - beta2 ** t)
        x_new = x - eta * v_hat / (sqrt(s_hat) + eps)  # eps outside the root here

    Without the correction the first steps are the wrong size, because ``v`` and ``s`` start at
    zero and are biased towards it: at ``t = 1`` ``v_new = (1 - beta1) g`` and
    ``sqrt(s_new) = sqrt(1 - beta2) |g|``, so the uncorrected step is
    ``(1 - beta1) / sqrt(1 - beta2) = 0.1 / 0.0316 = 3.16`` times the corrected one with the
    default betas: about 3 times too large, not too small. (Note ``t = 0`` would divide by zero:
    the first step is ``t = 1``.)

    Args:
        x: point; v, s: first and second moment estimates (start from zeros); t: step number >= 1;
        g: gradient at x; eta: learning rate; beta1, beta2: decay rates; eps: stabiliser.

    Returns:
        ``(x_new, v_new, s_new)``.

    Example:
        At t = 1, v_hat = g and s_hat = g^2 exactly, so x_new = x - eta * g / (|g| + eps): the
        first step has length about eta in every coordinate.
    """
    raise NotImplementedError("adam_step: write this function (its docstring is the assignment)")


def clip_by_norm(g, threshold):
    """Rescale a gradient so its Euclidean norm is at most ``threshold``.

    ::

        g_clipped = g * min(1, threshold / ||g||)

    The direction is kept; only the length is capped. A zero gradient stays zero (do not divide
    by a zero norm).

    Args:
        g: gradient array of any shape (the norm is over all entries).
        threshold: the largest allowed norm, > 0.

    Returns:
        A new float64 array of the shape of ``g``.

    Example:
        >>> clip_by_norm(np.array([3.0, 4.0]), 1.0)       # norm 5 -> scaled by 1/5
        array([0.6, 0.8])
    """
    raise NotImplementedError("clip_by_norm: write this function (its docstring is the assignment)")


def piecewise_constant_lr(t, boundaries=(10, 20), values=(1.0, 0.5, 0.1)):
    """A piecewise-constant learning-rate schedule: one fixed factor on each interval of steps.

    ``boundaries`` are increasing step numbers ``b_0 < b_1 < ... < b_{k-1}`` and ``values`` holds
    one factor more than there are boundaries (``k + 1``). The factor in force at step ``t``
    (counting from 1, as :func:`sgd` does) is::

        values[0]   for           t <= b_0
        values[i]   for b_{i-1} < t <= b_i
        values[k]   for b_{k-1} < t

    that is, ``values[i]`` where ``i`` is the number of boundaries *strictly* below ``t``: the
    boundary step itself still uses the earlier factor (Keras' ``PiecewiseConstantDecay`` counts
    the same way). Boundaries are absolute step numbers, not lengths of the intervals, and each
    value is the factor itself, not a ratio applied to the one before. Training often drops the
    rate like this by hand ("divide eta by 10 after epochs 10 and 20"); unlike exponential decay
    it never shrinks the rate before the plateau ends.

    Like :func:`exponential_lr`, it maps ``t`` to a factor of ``eta``, so it plugs into
    :func:`sgd`; ``functools.partial`` fixes other boundaries and values::

        schedule = functools.partial(piecewise_constant_lr, boundaries=[3], values=[1.0, 0.1])
        sgd(grad, x0, eta, 6, rng, lr_schedule=schedule)   # eta for steps 1-3, eta/10 for 4-6

    Args:
        t: the step number, an integer >= 1.
        boundaries: increasing step numbers where the factor changes (after the step).
        values: the factors, ``len(boundaries) + 1`` of them.

    Returns:
        The factor, a float.

    Example:
        With the defaults (boundaries 10 and 20, values 1, 0.5, 0.1)::

            >>> [piecewise_constant_lr(t) for t in (1, 10, 11, 20, 21, 1000)]
            [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    """
    raise NotImplementedError("piecewise_constant_lr: write this function (its docstring is the assignment)")


def adadelta_step(x, s, delta, g, rho=0.95, eps=1e-6):
    """One Adadelta step: RMSProp whose step size is learnt from the sizes of past updates.

    Adadelta keeps two leaky averages with the same decay ``rho``: ``s`` of the squared gradients
    (as RMSProp does) and ``delta`` of the squared *updates*. The update rescales the gradient by
    the ratio of their roots, so it carries the units of x and needs no learning rate::

        s_new     = rho * s + (1 - rho) * g ** 2
        update    = sqrt(delta + eps) / sqrt(s_new + eps) * g     # uses the OLD delta, the NEW s
        x_new     = x - update
        delta_new = rho * delta + (1 - rho) * update ** 2

    eps sits inside both roots: with ``delta = 0`` at the start the first update is
    ``sqrt(eps) / sqrt(s_new + eps) * g``, small but not zero, and ``delta`` grows from there.
    The defaults are those of Zeiler's paper (rho = 0.95, eps = 1e-6). (Keras multiplies the
    update by a learning rate as well; here there is none, as in the paper.)

    Args:
        x: point, a float or an array; s, delta: the two averages (start from zeros), shaped like x;
        g: gradient at x; rho: decay in [0, 1); eps: stabiliser inside the roots.

    Returns:
        ``(x_new, s_new, delta_new)``, float64 arrays shaped like ``x``.

    Example:
        ``x = 1, s = 0, delta = 0, g = 2, rho = 0.5, eps = 1``: ``s_new = 2``,
        ``update = sqrt(1) / sqrt(3) * 2 = 1.1547``, ``x_new = -0.1547``,
        ``delta_new = 0.5 * 0 + 0.5 * 4/3 = 0.6667``.
    """
    raise NotImplementedError("adadelta_step: write this function (its docstring is the assignment)")


def nadam_step(x, v, s, t, g, eta, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Nadam step: Adam whose momentum looks ahead as Nesterov's does.

    The moments and their bias corrections are Adam's (``t`` counts from 1)::

        v_new = beta1 * v + (1 - beta1) * g
        s_new = beta2 * s + (1 - beta2) * g ** 2
        v_hat = v_new / (1 - beta1 ** t)
        s_hat = s_new / (1 - beta2 ** t)

    Adam would step along ``v_hat``. Nadam applies the momentum one step ahead: it steps along the
    mix of the *next* momentum's two parts, the decayed average and the current gradient, each
    corrected for its own zero start::

        direction = beta1 * v_hat + (1 - beta1) * g / (1 - beta1 ** t)
        x_new     = x - eta * direction / (sqrt(s_hat) + eps)      # eps outside the root, as Adam

    The defaults are those of Dozat's paper (beta1 = 0.9, beta2 = 0.999, eps = 1e-8). This is the
    form with a constant ``beta1``; the paper (and Keras' ``Nadam``) also let ``beta1`` grow slowly
    with ``t``, which changes the numbers but not the idea.

    Args:
        x: point; v, s: first and second moments (start from zeros); t: step number >= 1;
        g: gradient at x; eta: learning rate; beta1, beta2: decay rates; eps: stabiliser.

    Returns:
        ``(x_new, v_new, s_new)``, float64 arrays shaped like ``x``.

    Example:
        At ``t = 1`` from zero moments ``v_hat = g`` and ``s_hat = g**2``, and the current gradient
        counts twice, inside ``v_hat`` and on its own: ``direction = 0.9 * g + 0.1 * g / 0.1 = 1.9 g``,
        so the first step is 1.9 times Adam's. With ``x = 0, v = 0.1, s = 0.001, t = 2, g = 1,
        eta = 0.1, eps = 0``: ``v_new = 0.19`` and ``s_new = 0.001999``, so ``v_hat = s_hat = 1``;
        Adam moves to ``-0.1``, Nadam's direction is ``0.9 * 1 + 0.1 * 1 / 0.19 = 1.4263`` and it
        moves to ``x_new = -0.14263``.
    """
    raise NotImplementedError("nadam_step: write this function (its docstring is the assignment)")
