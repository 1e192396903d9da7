"""Known mistake 'dropout-mask-keeps-above' (dropout): the comparison of the uniform draw reversed."""

import numpy as np

MISCONCEPTION = "dropout-mask-keeps-above"
MODULE = "dropout"


def dropout_mask(shape, keep_prob, rng):
    return (rng.random(shape) >= keep_prob).astype(np.float64)
