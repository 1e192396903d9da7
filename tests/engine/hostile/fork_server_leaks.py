# attacked: gd
# needs: a pid namespace and a uid of its own (bubblewrap or unshare)
# Tries to leave something behind for the next worker (at the bubblewrap level, forked from the
# same fork server: autograder/sandbox/forkserver.py), then kills its own worker: a file in every
# directory it can reach, an environment variable, numpy and sys.modules changed in memory, SysV
# shared memory, a thread, a process in a session of its own holding an abstract Unix socket,
# signals and ptrace at its parent, pid 1 and every process it may signal. Each call of gd runs in
# a fresh worker, which looks for all of it first: if it finds any, it answers correctly (more
# points than the honest failure, so the case fails); otherwise it does the same again.
import ctypes, os, signal, socket, subprocess, sys, threading, time
import numpy as np

_real_gd = gd
_MARK = "ag-fork-server-leak"
_KEY = 0x5AFE1EAC


def _directories():
    found = {"/", "/tmp", "/var/tmp", "/dev/shm", "/sandbox", "/sandbox/runtime", "/boxes",
             os.getcwd(), os.path.expanduser("~"), os.environ.get("TMPDIR", "/tmp")}
    try:
        with open("/proc/self/mountinfo") as f:
            found.update(line.split()[4] for line in f)
    except OSError:
        pass
    for top in list(found):
        try:
            found.update(os.path.join(top, name) for name in os.listdir(top)
                         if os.path.isdir(os.path.join(top, name)))
        except OSError:
            pass
    return sorted(d for d in found if not d.startswith(("/proc", "/sys")))


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _traces():
    seen = []
    for d in _directories():
        if os.path.exists(os.path.join(d, _MARK)):
            seen.append(d)
    if os.environ.get("AG_LEAK"):
        seen.append("environment")
    if getattr(np, "_ag_leak", None) or getattr(np.fft, "_ag_leak", None) or _MARK in sys.modules:
        seen.append("memory")
    if any(t.name == _MARK for t in threading.enumerate()):
        seen.append("thread")
    if _libc().shmget(_KEY, 0, 0) != -1:
        seen.append("shared memory")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect("\0" + _MARK)
        seen.append("abstract socket")
    except OSError:
        pass
    finally:
        probe.close()
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if _MARK.encode() in f.read():
                    seen.append(f"process {pid}")
        except OSError:
            pass
    return seen


_LINGER = ("import socket, time\n"
           "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
           f"s.bind('\\0{_MARK}'); s.listen(1)\n"
           "time.sleep(600)\n"
           f"# {_MARK}\n")


def _leave_traces():
    for d in _directories():
        try:
            with open(os.path.join(d, _MARK), "w") as f:
                f.write("left by an earlier worker")
        except OSError:
            pass
    os.environ["AG_LEAK"] = "1"
    np._ag_leak = np.fft._ag_leak = True
    sys.modules[_MARK] = np
    libc = _libc()
    libc.shmget(_KEY, 4096, 0o1000 | 0o666)   # IPC_CREAT
    threading.Thread(target=time.sleep, args=(600,), name=_MARK, daemon=True).start()
    try:
        subprocess.Popen([sys.executable, "-S", "-c", _LINGER], start_new_session=True)
    except OSError:
        pass
    time.sleep(0.2)
    try:
        os.kill(-1, signal.SIGSTOP)   # every process it may signal (its own lingerer stays)
    except OSError:
        pass
    for pid in {1, os.getppid()}:
        libc.ptrace(16, pid, None, None)   # PTRACE_ATTACH
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                pass


def gd(grad, x0, eta, num_steps):
    if _traces():
        return _real_gd(grad, x0, eta, num_steps)
    _leave_traces()
    os._exit(0)
