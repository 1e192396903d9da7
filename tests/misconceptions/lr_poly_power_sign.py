"""Known mistake 'lr-poly-power-sign' (lr_schedules): a wrong implementation a student plausibly writes."""



MISCONCEPTION = "lr-poly-power-sign"
MODULE = "gradient_descent"


def polynomial_lr(t, alpha=0.1, power=0.5):
    return (1.0 + alpha * t) ** power
