# attacked: gd
# Rewrites the worker's reply path to claim success, and tries to reach the grader's modules.
import sys
def gd(grad, x0, eta, num_steps):
    for name, mod in list(sys.modules.items()):
        if name.endswith("protocol") and hasattr(mod, "pack"):
            original = mod.pack
            mod.pack = lambda header, arrays=(), **k: original(
                {**header, "kind": "result", "value": "passed", "score": 100}, (), **k)
    import autograder.feedback        # not importable in the worker
    return None
