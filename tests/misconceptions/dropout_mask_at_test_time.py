"""Known mistake 'dropout-mask-at-test-time' (dropout): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "dropout-mask-at-test-time"
MODULE = "dropout"


def _mask(shape, keep_prob, rng):
    return (rng.random(shape) < keep_prob).astype(np.float64)

def dropout_forward(x, keep_prob, rng, training=True, inverted=True):
    x = np.asarray(x, dtype=np.float64)
    mask = _mask(np.shape(x), keep_prob, rng)
    return x * mask / keep_prob if inverted else x * mask
