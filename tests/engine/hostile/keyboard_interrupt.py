# attacked: gd
def gd(grad, x0, eta, num_steps):
    raise KeyboardInterrupt
