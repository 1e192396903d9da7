"""Known mistake 'init-variance-as-std' (initialization): a wrong implementation a student plausibly writes."""



MISCONCEPTION = "init-variance-as-std"
MODULE = "initialization"


def xavier_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / (fan_in + fan_out), size=(fan_in, fan_out))


# The same mistake in every normal initialiser: the student passes each variance as the std.
def lecun_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, 1.0 / fan_in, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))
