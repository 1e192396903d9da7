"""Known mistake 'piecewise-values-multiplied' (piecewise_lr): a wrong implementation a student plausibly writes."""

MISCONCEPTION = "piecewise-values-multiplied"
MODULE = "gradient_descent"


def piecewise_constant_lr(t, boundaries=(10, 20), values=(1.0, 0.5, 0.1)):
    factor = float(values[0])
    for b, v in zip(boundaries, values[1:]):
        if t > b:
            factor *= v
    return factor
