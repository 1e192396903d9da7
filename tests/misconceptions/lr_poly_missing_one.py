"""Known mistake 'lr-poly-missing-one' (lr_schedules): a wrong implementation a student plausibly writes."""



MISCONCEPTION = "lr-poly-missing-one"
MODULE = "gradient_descent"


def polynomial_lr(t, alpha=0.1, power=0.5):
    return (alpha * t) ** (-power)
