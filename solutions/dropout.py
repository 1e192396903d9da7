"""Dropout: randomly silencing units during training, and what to do at test time.

The idea
--------
During training each unit is *kept* with probability ``keep_prob`` (often written ``p``) and set
to zero otherwise, independently for every unit and every example. The network cannot rely on
any single unit, which acts as a strong regulariser (an average over many thinned networks).

Careful with the words: ``keep_prob`` is the probability of **keeping** a unit. Keras'
``Dropout(rate)`` takes the probability of **dropping** one, ``rate = 1 - keep_prob``.

Expectations: why the scaling
-----------------------------
The mask ``m`` has entries 1 with probability ``p`` and 0 otherwise, so ``E[m] = p`` and
``E[x * m] = p * x``: in training a unit passes on only ``p`` times its value on average. The
next layer must see the same average at test time, when no unit is dropped. Two conventions fix
this:

* **standard (non-inverted)** dropout trains with ``x * m`` and multiplies by ``p`` at test time:
  ``E[train output] = p * x = test output``.
* **inverted** dropout (what Keras and PyTorch do) divides by ``p`` while training, so
  ``E[x * m / p] = x``, and the test-time layer is simply the identity.

Either way the expected output in training equals the output at test time, each in its own
convention: the two conventions differ by the constant factor ``p`` everywhere.

Conventions
-----------
``x`` is a float64 array of any shape; functions return new arrays and never modify their inputs.
``rng`` is a ``numpy.random.Generator``; the mask is drawn exactly as :func:`dropout_mask` says,
so a seeded test can check every entry.
"""

from __future__ import annotations

import numpy as np


def keep_probability(num_dropped, num_units):
    """The keep probability when ``num_dropped`` of ``num_units`` units are dropped on average.

    ::

        p = 1 - num_dropped / num_units

    Args:
        num_dropped: expected number of dropped units, 0 <= num_dropped <= num_units.
        num_units: number of units in the layer, > 0.

    Returns:
        ``p`` as a Python float.

    Example:
        Dropping 70 of 120 units keeps the other 50: ``p = 1 - 70/120 = 50/120 = 5/12 = 0.41667``
        (and not 7/12 = 0.58333, which is the *drop* probability, Keras' ``rate``).
    """
    return 1.0 - float(num_dropped) / float(num_units)


def dropout_mask(shape, keep_prob, rng):
    """A random 0/1 mask: each entry is 1 (keep) with probability ``keep_prob``, else 0 (drop).

    Draw exactly one array of uniform numbers on [0, 1) and compare::

        mask = (rng.random(shape) < keep_prob).astype(float)

    An entry is kept when its uniform number falls below ``keep_prob``, which happens with
    probability ``keep_prob``. (Comparing the other way round, ``>=``, would keep with the *drop*
    probability instead.)

    Args:
        shape: the shape of the mask, a tuple such as ``(batch, units)``.
        keep_prob: probability of keeping an entry, in [0, 1].
        rng: a ``numpy.random.Generator``.

    Returns:
        float64 array of 0.0 and 1.0 of the given shape.

    Example:
        ``keep_prob = 1`` keeps everything (all ones), ``keep_prob = 0`` drops everything (all
        zeros). With ``keep_prob = 0.5`` and uniform draws ``[0.2, 0.7, 0.4]`` the mask is
        ``[1.0, 0.0, 1.0]``.
    """
    return (rng.random(shape) < keep_prob).astype(np.float64)


def dropout_forward(x, keep_prob, rng, training=True, inverted=True):
    """Apply dropout to the activations ``x``, in training or at test time, in either convention.

    ::

        training, inverted:       mask = dropout_mask(np.shape(x), keep_prob, rng)
                                  out  = x * mask / keep_prob
        training, not inverted:   out  = x * mask                      (same mask draw)
        test time, not inverted:  out  = x * keep_prob                 (no random draw)
        test time, inverted:      out  = a copy of x                   (no random draw)

    In every case the expected training output equals the test-time output of the same
    convention (see the module docstring): ``E[x * mask / p] = x`` and ``E[x * mask] = p * x``.
    At test time do not draw from ``rng`` at all: the network must be deterministic.

    Args:
        x: activations, a float64 array of any shape.
        keep_prob: probability of keeping a unit, in (0, 1].
        rng: a ``numpy.random.Generator`` (used only when ``training``).
        training: True during training (draw a mask), False at test time.
        inverted: True for inverted dropout (scale by 1/keep_prob in training), False for the
            standard form (scale by keep_prob at test time).

    Returns:
        A new float64 array of the shape of ``x``.

    Example:
        ``x = [2.0, 4.0, 6.0]``, ``keep_prob = 0.5`` and a mask ``[1, 0, 1]``: inverted training
        gives ``[4.0, 0.0, 12.0]``, standard training ``[2.0, 0.0, 6.0]``; at test time the
        inverted form gives ``[2.0, 4.0, 6.0]`` and the standard form ``[1.0, 2.0, 3.0]``.
    """
    x = np.asarray(x, dtype=np.float64)
    if not training:
        return x.copy() if inverted else x * keep_prob
    mask = dropout_mask(np.shape(x), keep_prob, rng)
    return x * mask / keep_prob if inverted else x * mask
