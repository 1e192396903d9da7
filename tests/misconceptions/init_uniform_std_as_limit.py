"""Known mistake 'init-uniform-std-as-limit' (initialization): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "init-uniform-std-as-limit"
MODULE = "initialization"


def he_uniform(fan_in, fan_out, rng):
    a = math.sqrt(2.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
