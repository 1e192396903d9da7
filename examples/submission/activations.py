"""Example submission: activations (see examples/README.md)."""

import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    # Split on the sign so exp only ever sees -|x|.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh_grad(x):
    # Classic slip: 1 - x**2 instead of 1 - tanh(x)**2.
    x = np.asarray(x, dtype=float)
    return 1.0 - x ** 2


def relu_grad(x):
    return (np.asarray(x, dtype=float) > 0).astype(float)
