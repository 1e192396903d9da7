"""Known mistake 'escape-steps-rounded-down' (saddles): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "escape-steps-rounded-down"
MODULE = "saddles"


def steps_to_escape(H, eta, offset, radius):
    if offset >= radius:
        return 0
    if offset == 0:
        return math.inf
    return int(math.log(radius / offset) / math.log(saddle_escape_factor(H, eta)))
