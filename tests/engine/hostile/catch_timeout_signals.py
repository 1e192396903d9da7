# attacked: gd
# Ignores every catchable signal, then spins: only SIGKILL of the process group ends it.
import signal
def gd(grad, x0, eta, num_steps):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGXCPU, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass
