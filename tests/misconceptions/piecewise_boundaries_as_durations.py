"""Known mistake 'piecewise-boundaries-as-durations' (piecewise_lr): a wrong implementation a student plausibly writes."""

MISCONCEPTION = "piecewise-boundaries-as-durations"
MODULE = "gradient_descent"


def piecewise_constant_lr(t, boundaries=(10, 20), values=(1.0, 0.5, 0.1)):
    end = 0
    for i, length in enumerate(boundaries):
        end += length
        if t <= end:
            return float(values[i])
    return float(values[-1])
