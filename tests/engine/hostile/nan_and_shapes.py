# attacked: gd, momentum_step, adagrad_step
import numpy as np
def gd(grad, x0, eta, num_steps):
    return np.full(num_steps + 1, np.nan)
def momentum_step(x, v, g, eta, beta):
    return np.zeros((2, 2)), np.zeros(7)
def adagrad_step(x, s, g, eta, eps=1e-6):
    return (x,)
