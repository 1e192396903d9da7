# attacked: gd
def gd(grad, x0, eta, num_steps):
    while True:
        pass
