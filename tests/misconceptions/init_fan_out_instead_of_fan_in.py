"""Known mistake 'init-fan-out-instead-of-fan-in' (initialization): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "init-fan-out-instead-of-fan-in"
MODULE = "initialization"


def lecun_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(1.0 / fan_out), size=(fan_in, fan_out))

def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(2.0 / fan_out), size=(fan_in, fan_out))

def he_uniform(fan_in, fan_out, rng):
    a = math.sqrt(6.0 / fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
