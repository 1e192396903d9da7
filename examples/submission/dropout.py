"""Example submission: dropout (see examples/README.md)."""

import numpy as np


def keep_probability(num_dropped, num_units):
    # Classic slip: this is the *drop* probability (Keras' rate), not the keep probability.
    return float(num_dropped / num_units)


def dropout_mask(shape, keep_prob, rng):
    return (rng.random(shape) < keep_prob).astype(float)


def dropout_forward(x, keep_prob, rng, training=True, inverted=True):
    x = np.asarray(x, dtype=float)
    if training:
        mask = dropout_mask(np.shape(x), keep_prob, rng)
        return x * mask / keep_prob if inverted else x * mask
    return x.copy() if inverted else x * keep_prob
