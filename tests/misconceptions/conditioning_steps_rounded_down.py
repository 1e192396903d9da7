"""Known mistake 'conditioning-steps-rounded-down' (conditioning): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "conditioning-steps-rounded-down"
MODULE = "conditioning"


def steps_to_shrink(rho, factor):
    return int(math.log(factor) / math.log(1.0 / rho))
