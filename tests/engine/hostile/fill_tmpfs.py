# attacked: gd
# Many files just under RLIMIT_FSIZE each: without a size on the private /tmp (a tmpfs, in RAM)
# this would fill the grading machine's memory.
def gd(grad, x0, eta, num_steps):
    block = b"\0" * (1 << 20)
    for i in range(2000):
        try:
            with open(f"/tmp/filler-{i}", "wb") as f:
                for _ in range(15):
                    f.write(block)
        except OSError:
            break
    return None
