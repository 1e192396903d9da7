"""Known mistake 'lr-exp-sign' (lr_schedules): a wrong implementation a student plausibly writes."""

import math

MISCONCEPTION = "lr-exp-sign"
MODULE = "gradient_descent"


def exponential_lr(t, rate=0.1):
    return math.exp(rate * t)
