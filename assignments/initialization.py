"""Weight initialisation: Xavier (Glorot), LeCun and He (Kaiming), normal and uniform.

Why the variance matters
------------------------
A dense layer computes ``z = x @ W`` with ``W`` of shape ``(fan_in, fan_out)``: each output is a
sum of ``fan_in`` terms ``x_i * W_ij``. If the inputs and weights are independent with mean 0,
then::

    Var(z_j) = fan_in * Var(W) * Var(x_i)

so the layer multiplies the variance of the activations by ``fan_in * Var(W)``. Over many layers
that factor is raised to a power: above 1 the activations (and gradients) explode, below 1 they
vanish. Choosing ``Var(W) = 1 / fan_in`` keeps the factor at 1 on the way forward (LeCun). On the
way back the gradient is multiplied by ``W.T``, a sum of ``fan_out`` terms, which asks for
``Var(W) = 1 / fan_out``; Glorot and Bengio (2010) compromise with the average of the two fans::

    Var(W) = 2 / (fan_in + fan_out)                       (Xavier / Glorot)

For a ReLU layer half of the pre-activations are set to zero, which halves the second moment that
reaches the next layer; He et al. (2015) double the variance to make up for it::

    Var(W) = 2 / fan_in                                   (He / Kaiming)

Normal or uniform
-----------------
A normal initialiser takes the *standard deviation*, the square root of the variance:
``std = sqrt(Var)``. A uniform draw on ``(-a, a)`` has variance ``a**2 / 3``, so the limit giving
variance ``Var`` is ``a = sqrt(3 * Var)``: ``sqrt(6 / (fan_in + fan_out))`` for Xavier and
``sqrt(6 / fan_in)`` for He.

The exact draw (so the tests can check your numbers)
----------------------------------------------------
Every function here takes ``(fan_in, fan_out, rng)`` with ``rng`` a ``numpy.random.Generator``
and returns a new float64 array of shape ``(fan_in, fan_out)`` made by exactly one call::

    rng.normal(0.0, std, size=(fan_in, fan_out))          # the *_normal initialisers
    rng.uniform(-a, a, size=(fan_in, fan_out))            # the *_uniform initialisers

With the same seed you then get the same matrix as the tests expect. Never use the global
``np.random`` functions: their state is shared and unseeded.

How these differ from Keras
---------------------------
Keras' ``GlorotUniform`` and ``HeUniform`` use the same limits as ours. Its *normal*
initialisers (``GlorotNormal``, ``HeNormal``, ``LecunNormal``) draw from a normal **truncated at
two standard deviations** (values beyond are redrawn), and since truncation shrinks the variance
(by the factor 0.87962566103423978**2), Keras first divides the standard deviation by
0.87962566103423978 so the variance still matches. Our normal initialisers are **not truncated**:
same variance, but occasional weights beyond 2 std, and different numbers from the same seed.
(Keras' default for a ``Dense`` layer is ``glorot_uniform``, i.e. :func:`xavier_uniform`.)
"""

from __future__ import annotations

import math

import numpy as np


def xavier_normal(fan_in, fan_out, rng):
    """Xavier (Glorot) normal initialisation: mean 0, variance ``2 / (fan_in + fan_out)``.

    ::

        std = sqrt(2 / (fan_in + fan_out))
        W   = rng.normal(0.0, std, size=(fan_in, fan_out))

    The average of the two fans keeps the variance of both the activations (forward, which wants
    ``1 / fan_in``) and the gradients (backward, which wants ``1 / fan_out``) roughly constant
    from layer to layer; it suits tanh and sigmoid layers. Keras' ``GlorotNormal`` has the same
    variance but truncates at 2 std (see the module docstring); this one is untruncated.

    Args:
        fan_in: number of inputs of the layer (rows of W), an int >= 1.
        fan_out: number of outputs of the layer (columns of W), an int >= 1.
        rng: a ``numpy.random.Generator``, e.g. ``np.random.default_rng(0)``.

    Returns:
        float64 array of shape ``(fan_in, fan_out)``.

    Example:
        ``fan_in = 3, fan_out = 5``: variance 2 / 8 = 0.25, so ``std = 0.5`` (not 0.25: the
        normal takes the standard deviation, not the variance)::

            >>> W = xavier_normal(3, 5, np.random.default_rng(0))
            >>> W.shape
            (3, 5)
            >>> np.allclose(W, np.random.default_rng(0).normal(0.0, 0.5, size=(3, 5)))
            True
    """
    raise NotImplementedError("xavier_normal: write this function (its docstring is the assignment)")


def xavier_uniform(fan_in, fan_out, rng):
    """Xavier (Glorot) uniform initialisation on ``(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``.

    ::

        a = sqrt(6 / (fan_in + fan_out))
        W = rng.uniform(-a, a, size=(fan_in, fan_out))

    A uniform variable on ``(-a, a)`` has variance ``a**2 / 3 = 2 / (fan_in + fan_out)``: the
    same variance as :func:`xavier_normal`, with bounded weights. This is Keras'
    ``GlorotUniform``, the default initialiser of a ``Dense`` layer.

    Args:
        fan_in: number of inputs (rows), fan_out: number of outputs (columns), ints >= 1.
        rng: a ``numpy.random.Generator``.

    Returns:
        float64 array of shape ``(fan_in, fan_out)``.

    Example:
        ``fan_in = 1, fan_out = 2``: ``a = sqrt(6 / 3) = sqrt(2) = 1.414``, so every weight lies
        in (-1.414, 1.414) and the variance is 2 / 3 = 2 / (1 + 2). (Forgetting the square root
        would give the limit 2 instead.)
    """
    raise NotImplementedError("xavier_uniform: write this function (its docstring is the assignment)")


def lecun_normal(fan_in, fan_out, rng):
    """LeCun normal initialisation: mean 0, variance ``1 / fan_in``.

    ::

        std = sqrt(1 / fan_in)
        W   = rng.normal(0.0, std, size=(fan_in, fan_out))

    Only the forward pass is balanced: ``Var(z) = fan_in * Var(W) * Var(x) = Var(x)``. Many
    lecture notes call this "Xavier initialisation" (a simplified form of it); in this module
    Xavier means the ``2 / (fan_in + fan_out)`` version. It is the initialiser that SELU
    networks need. Keras' ``LecunNormal`` truncates at 2 std and rescales; this one does not.

    Args:
        fan_in: number of inputs (rows), fan_out: number of outputs (columns), ints >= 1.
        rng: a ``numpy.random.Generator``.

    Returns:
        float64 array of shape ``(fan_in, fan_out)``.

    Example:
        ``fan_in = 4, fan_out = 10``: variance 1 / 4, ``std = 0.5``. Only ``fan_in`` matters:
        ``fan_out`` sets the number of columns, not the spread.
    """
    raise NotImplementedError("lecun_normal: write this function (its docstring is the assignment)")


def he_normal(fan_in, fan_out, rng):
    """He (Kaiming) normal initialisation for ReLU layers: mean 0, variance ``2 / fan_in``.

    ::

        std = sqrt(2 / fan_in)
        W   = rng.normal(0.0, std, size=(fan_in, fan_out))

    ReLU zeroes the negative half of its input, so only half of the second moment of ``z``
    reaches the next layer: ``E[relu(z)**2] = Var(z) / 2``. Doubling LeCun's variance
    (``2 / fan_in`` instead of ``1 / fan_in``) makes up for that halving and keeps the signal's
    scale constant through a deep ReLU network. Keras' ``HeNormal`` truncates at 2 std and
    rescales the std by 1 / 0.87962566103423978; this one is untruncated.

    Args:
        fan_in: number of inputs (rows), fan_out: number of outputs (columns), ints >= 1.
        rng: a ``numpy.random.Generator``.

    Returns:
        float64 array of shape ``(fan_in, fan_out)``.

    Example:
        ``fan_in = 8, fan_out = 2``: variance 2 / 8 = 0.25, ``std = 0.5``. (Using ``fan_out``
        by mistake would give variance 2 / 2 = 1.)
    """
    raise NotImplementedError("he_normal: write this function (its docstring is the assignment)")


def he_uniform(fan_in, fan_out, rng):
    """He (Kaiming) uniform initialisation on ``(-a, a)`` with ``a = sqrt(6 / fan_in)``.

    ::

        a = sqrt(6 / fan_in)
        W = rng.uniform(-a, a, size=(fan_in, fan_out))

    The variance is ``a**2 / 3 = 2 / fan_in``, the same as :func:`he_normal`. This is Keras'
    ``HeUniform``.

    Args:
        fan_in: number of inputs (rows), fan_out: number of outputs (columns), ints >= 1.
        rng: a ``numpy.random.Generator``.

    Returns:
        float64 array of shape ``(fan_in, fan_out)``.

    Example:
        ``fan_in = 6``: ``a = sqrt(6 / 6) = 1``, weights uniform on (-1, 1) with variance
        1 / 3 = 2 / 6.
    """
    raise NotImplementedError("he_uniform: write this function (its docstring is the assignment)")
