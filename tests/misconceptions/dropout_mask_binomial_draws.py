"""Known mistake 'dropout-mask-binomial-draws' (dropout): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "dropout-mask-binomial-draws"
MODULE = "dropout"


def dropout_mask(shape, keep_prob, rng):
    return rng.binomial(1, keep_prob, size=shape).astype(np.float64)
