"""Known mistake 'depth-relu-half-on-input' (depth): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "depth-relu-half-on-input"
MODULE = "depth"


def forward_variances(fan_ins, weight_variances, input_second_moment, relu=False):
    q, out = float(input_second_moment), []
    for n, v in zip(fan_ins, weight_variances):
        if relu:
            q = q / 2.0
        q = n * v * q
        out.append(q)
    return np.array(out, dtype=np.float64)
