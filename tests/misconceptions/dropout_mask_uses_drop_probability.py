"""Known mistake 'dropout-mask-uses-drop-probability' (dropout): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "dropout-mask-uses-drop-probability"
MODULE = "dropout"


def dropout_mask(shape, keep_prob, rng):
    return (rng.random(shape) < 1.0 - keep_prob).astype(np.float64)
