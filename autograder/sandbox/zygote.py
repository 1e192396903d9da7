"""The fork server: one trusted process that starts Python and numpy once, then forks workers.

It runs inside a bubblewrap sandbox of its own, built like a worker's (the allow-listed file
system, new ipc/pid/net/uts namespaces, no environment) but with no submission in it: it never
imports, reads or runs a student's code. It sees the grader's box directory at ``/boxes`` and
keeps the capabilities that building a worker needs (mounts, namespaces, switching uid).

For each request of the grader (a box's name, the worker's uid and limits, and four descriptors:
the worker's two pipe ends, its stderr file, and a status socket) it forks three processes, the
way ``bwrap`` does for a worker:

``relay``
    A new session; unshares new mount, pid, network, ipc and uts namespaces (nothing the worker
    mounts, listens on or keeps in SysV memory is shared with the server or the next worker); its
    first message on the status socket tells the grader its pid (from the kernel's credentials),
    its last the worker's exit status, as bubblewrap's exit code would say it.
``init``
    Pid 1 of the new pid namespace: binds the box's submission read-only at
    ``/sandbox/submission``, detaches ``/boxes`` (no other box stays in view; its empty mount
    point stays), mounts a private bounded ``/tmp``, a ``/proc`` of this namespace only and
    pseudo-terminals of its own, forks the worker, then gives up every capability and reaps
    orphans until the worker ends. Its death takes every process of the namespace with it.
``worker``
    Drops the bounding set of capabilities, switches to the worker's uid (which clears the rest),
    sets no_new_privs and its rlimits, reseeds numpy's global generator, and only then serves the
    grader: the same :func:`.worker.run` as a worker started by bubblewrap.

Nothing a worker does reaches the server: it runs as another uid in namespaces of its own, its
memory is a copy-on-write copy (numpy patched in it stays patched in it), it holds no descriptor
of the server's (every one is closed before anything else happens), and its /tmp is its own.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import struct
import sys
import traceback

import numpy as np
import numpy.linalg  # noqa: F401 - loaded once here, shared by every worker
import numpy.random  # noqa: F401

from . import isolation_inside as inside
from . import worker

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x20000000, 0x40000000
MNT_DETACH, MS_NOEXEC = 2, 0x8
PR_SET_PDEATHSIG = 1
SUBMISSION = "/sandbox/submission"
BOXES = "/boxes"
STATUS = struct.Struct("i")
#: The descriptors a request carries, in this order.
FDS = ("in", "out", "stderr", "status")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    control = socket.socket(fileno=int(argv[0]))
    libc = inside._libc()
    # Every relay is reaped by the kernel: no zombie waits for a server that forks on.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, len(FDS))
        except InterruptedError:
            continue
        if not message:
            os._exit(0)   # the grader is gone
        if len(fds) != len(FDS):
            for fd in fds:
                os.close(fd)
            continue
        if os.fork() == 0:
            try:
                _relay(libc, json.loads(message), dict(zip(FDS, fds)))
            except BaseException:  # noqa: BLE001 - said in the box's stderr, read by the grader
                traceback.print_exc()
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)


def _keep_only(fds: dict) -> None:
    """Close every descriptor but ``fds`` (the server's control socket above all) and point
    0, 1 and 2 where a worker's are: nothing, nothing, its stderr file."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(fds["stderr"], 2)
    keep = sorted({0, 1, 2, *fds.values()} - {null, fds["stderr"]} | {2})
    start = 0
    for fd in keep:
        if fd > start:
            os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, 1 << 20)


def _relay(libc, request: dict, fds: dict) -> None:
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _keep_only(fds)
    status = socket.socket(fileno=fds["status"])
    status.send(b"S")   # the grader reads our pid from the kernel's credentials of this
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if libc.unshare(flags | CLONE_NEWCGROUP) != 0 and libc.unshare(flags) != 0:
        raise OSError(inside.ctypes.get_errno(), "unshare failed")
    pid = os.fork()
    if pid == 0:
        status.close()
        _init(libc, request, fds)
    os.close(fds["in"])
    os.close(fds["out"])
    _, code = os.waitpid(pid, 0)
    status.send(STATUS.pack(os.waitstatus_to_exitcode(code)))
    os._exit(0)


def _init(libc, request: dict, fds: dict) -> None:
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.setsid()   # as bubblewrap's --new-session: the worker's session is this namespace's
    box = str(request["box"])
    if not box.startswith("autograder-sandbox-") or "/" in box or ".." in box:
        raise ValueError(f"not a box: {box!r}")
    inside._mount(libc, "none", "/", None, inside.MS_REC | inside.MS_PRIVATE, None)
    inside._mount(libc, f"{BOXES}/{box}/submission", SUBMISSION, None, inside.MS_BIND, None)
    inside._mount(libc, "none", SUBMISSION, None, inside.MS_BIND | inside.MS_REMOUNT
                  | inside.MS_RDONLY | inside.MS_NOSUID | inside.MS_NODEV, None)
    if libc.umount2(BOXES.encode(), MNT_DETACH) != 0:
        raise OSError(inside.ctypes.get_errno(), f"umount {BOXES}")
    inside._mount(libc, "tmpfs", "/tmp", "tmpfs", inside.MS_NOSUID | inside.MS_NODEV,
                  f"size={int(request['tmp_bytes'])},mode=1777")
    inside._mount(libc, "proc", "/proc", "proc",
                  inside.MS_NOSUID | inside.MS_NODEV | MS_NOEXEC, None)
    for name in ("sys", "sysrq-trigger", "irq", "bus"):   # as bubblewrap's --proc leaves them
        path = f"/proc/{name}"
        if os.path.exists(path):
            inside._mount(libc, path, path, None, inside.MS_BIND | inside.MS_REC, None)
            inside._mount(libc, "none", path, None, inside.MS_BIND | inside.MS_REMOUNT
                          | inside.MS_RDONLY | inside.MS_NOSUID | inside.MS_NODEV, None)
    # Pseudo-terminals of its own too (bubblewrap's --dev gives each sandbox a new devpts).
    inside._mount(libc, "devpts", "/dev/pts", "devpts", inside.MS_NOSUID | MS_NOEXEC,
                  "newinstance,ptmxmode=0666,mode=620")
    os.chdir(SUBMISSION)
    pid = os.fork()
    if pid == 0:
        _worker(libc, request, fds)
    os.close(fds["in"])
    os.close(fds["out"])
    inside.drop_capabilities(libc)
    libc.prctl(inside.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    while True:   # pid 1: adopt and reap orphans until the worker itself ends
        try:
            dead, code = os.wait()
        except ChildProcessError:
            os._exit(70)
        if dead == pid:
            code = os.waitstatus_to_exitcode(code)
            os._exit(code if code >= 0 else 128 - code)   # bubblewrap's words for a signal


def _fits_its_memory() -> None:
    """A worker started as a process of its own fails at its first allocation when its address
    space limit is below what Python and numpy already hold; a forked one, whose heap the server
    left room in, might not: it fails here the same way, before it says hello."""
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status") as f:
        size = next(int(line.split()[1]) for line in f if line.startswith("VmSize:")) * 1024
    if limit != resource.RLIM_INFINITY and size > limit:
        raise MemoryError(f"{size} bytes of address space at start, over the limit of {limit}")


def _worker(libc, request: dict, fds: dict) -> None:
    os.umask(0o022)
    for cap in range(64):   # the bounding set; switching uid clears the other sets
        libc.prctl(inside.PR_CAPBSET_DROP, cap, 0, 0, 0)
    worker.drop_privileges(int(request["uid"]), int(request["gid"]))
    with open("/proc/self/status") as f:
        effective = next(line for line in f if line.startswith("CapEff:")).split()[1]
    if int(effective, 16) != 0:
        raise SystemExit("could not drop every capability")
    libc.prctl(inside.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    worker.apply_limits(request.get("rlimits", {}))
    _fits_its_memory()
    np.random.seed()   # a fresh interpreter's generator would have had entropy of its own
    # The command line a worker started by bubblewrap has (``python -c CODE IN OUT CONFIG``):
    # the submission sees the same process either way.
    sys.argv = ["-c", str(fds["in"]), str(fds["out"]), json.dumps(request)]
    worker.run(fds["in"], fds["out"], request)
