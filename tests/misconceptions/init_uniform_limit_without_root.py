"""Known mistake 'init-uniform-limit-without-root' (initialization): a wrong implementation a student plausibly writes."""



MISCONCEPTION = "init-uniform-limit-without-root"
MODULE = "initialization"


def xavier_uniform(fan_in, fan_out, rng):
    a = 6.0 / (fan_in + fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
