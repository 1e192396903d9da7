"""Known mistake 'piecewise-switch-at-boundary' (piecewise_lr): a wrong implementation a student plausibly writes."""

MISCONCEPTION = "piecewise-switch-at-boundary"
MODULE = "gradient_descent"


def piecewise_constant_lr(t, boundaries=(10, 20), values=(1.0, 0.5, 0.1)):
    index = sum(1 for b in boundaries if b <= t)
    return float(values[index])
