"""Known mistake 'dropout-test-time-scaled' (dropout): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "dropout-test-time-scaled"
MODULE = "dropout"


def _mask(shape, keep_prob, rng):
    return (rng.random(shape) < keep_prob).astype(np.float64)

def dropout_forward(x, keep_prob, rng, training=True, inverted=True):
    x = np.asarray(x, dtype=np.float64)
    if not training:
        return x * keep_prob
    mask = _mask(np.shape(x), keep_prob, rng)
    return x * mask / keep_prob if inverted else x * mask
