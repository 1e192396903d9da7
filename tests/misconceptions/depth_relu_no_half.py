"""Known mistake 'depth-relu-no-half' (depth): a wrong implementation a student plausibly writes."""

import numpy as np

MISCONCEPTION = "depth-relu-no-half"
MODULE = "depth"


def forward_variances(fan_ins, weight_variances, input_second_moment, relu=False):
    q, out = float(input_second_moment), []
    for n, v in zip(fan_ins, weight_variances):
        q = n * v * q
        out.append(q)
    return np.array(out, dtype=np.float64)
