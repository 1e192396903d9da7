"""Known mistake 'init-he-missing-factor-2' (initialization): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "init-he-missing-factor-2"
MODULE = "initialization"


def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
