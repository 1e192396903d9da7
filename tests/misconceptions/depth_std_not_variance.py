"""Known mistake 'depth-std-not-variance' (depth): a wrong implementation a student plausibly writes."""

import math

import numpy as np

MISCONCEPTION = "depth-std-not-variance"
MODULE = "depth"


def forward_variances(fan_ins, weight_variances, input_second_moment, relu=False):
    q, out = float(input_second_moment), []
    for n, v in zip(fan_ins, weight_variances):
        var = n * math.sqrt(v) * q
        out.append(var)
        q = var / 2.0 if relu else var
    return np.array(out, dtype=np.float64)
