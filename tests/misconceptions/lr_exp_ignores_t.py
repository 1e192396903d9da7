"""Known mistake 'lr-exp-ignores-t' (lr_schedules): the decay written without the step number."""

import math

MISCONCEPTION = "lr-exp-ignores-t"
MODULE = "gradient_descent"


def exponential_lr(t, rate=0.1):
    return math.exp(-rate)
