"""An example student submission, partly right (see examples/README.md for what is wrong where)."""

import math

import numpy as np


def gd(grad, x0, eta, num_steps):
    x = np.array(x0, dtype=float)
    traj = [x.copy()]
    for _ in range(num_steps):
        x = x - eta * grad(x)
        traj.append(x.copy())
    return np.array(traj)


def constant_lr(t):
    return 1.0


def exponential_lr(t, rate=0.1):
    # Classic slip: the sign of the exponent is lost, so the rate grows instead of decaying.
    return math.exp(rate * t)


def polynomial_lr(t, alpha=0.1, power=0.5):
    return (1 + alpha * t) ** (-power)


def sgd(grad, x0, eta, num_steps, rng, noise_std=1.0, lr_schedule=constant_lr):
    x = np.array(x0, dtype=float)
    traj = [x.copy()]
    for t in range(1, num_steps + 1):
        noise = rng.normal(0.0, noise_std, size=np.shape(x))
        x = x - eta * lr_schedule(t) * (grad(x) + noise)
        traj.append(x.copy())
    return np.array(traj)


def momentum_step(x, v, g, eta, beta):
    # The d2l textbook form, not the one the assignment asks for.
    v_new = beta * np.asarray(v, dtype=float) + g
    x_new = x - eta * v_new
    return np.asarray(x_new, dtype=float), v_new


def nesterov_step(x, v, grad, eta, beta):
    x = np.asarray(x, dtype=float)
    v = np.asarray(v, dtype=float)
    g = grad(x + beta * v)
    v_new = beta * v - eta * g
    return x + v_new, v_new


def adagrad_step(x, s, g, eta, eps=1e-6):
    s_new = s + g ** 2
    return x - eta * g / np.sqrt(s_new + eps), s_new


def rmsprop_step(x, s, g, eta, gamma=0.9, eps=1e-6):
    # Forgot the (1 - gamma) weight on the new squared gradient.
    s_new = gamma * s + g ** 2
    return x - eta * g / np.sqrt(s_new + eps), s_new


def adam_step(x, v, s, t, g, eta, beta1=0.9, beta2=0.999, eps=1e-6):
    v_new = beta1 * v + (1 - beta1) * g
    s_new = beta2 * s + (1 - beta2) * g ** 2
    v_hat = v_new / (1 - beta1 ** t)
    s_hat = s_new / (1 - beta2 ** t)
    return x - eta * v_hat / (np.sqrt(s_hat) + eps), v_new, s_new


def clip_by_norm(g, threshold):
    # Divides by the norm even when it is zero: a zero gradient becomes NaN.
    g = np.asarray(g, dtype=float)
    norm = np.linalg.norm(g)
    return g / norm * min(norm, threshold)
