"""Known mistake 'init-shape-transposed' (initialization): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "init-shape-transposed"
MODULE = "initialization"


def xavier_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))

def xavier_uniform(fan_in, fan_out, rng):
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_out, fan_in))

def lecun_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(1.0 / fan_in), size=(fan_out, fan_in))

def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_out, fan_in))

def he_uniform(fan_in, fan_out, rng):
    a = math.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_out, fan_in))
