"""Starting bubblewrap workers from a fork server: Python and numpy start once per grader, not once
per worker.

A worker's start used to cost bubblewrap, a fresh interpreter and numpy's import (about 0.1 s of
CPU), once per submission and again after every worker a hostile submission killed. Here one
trusted process, :mod:`.zygote`, pays for them once, inside a bubblewrap sandbox with the same
allow-listed view as a worker's (but no submission), and forks each worker, which then walls
itself off (its own mount, pid, network, ipc and uts namespaces, its submission bound read-only,
a private /tmp and /proc, another uid, no capabilities, no_new_privs, its rlimits) before it reads
anything of the submission's. The level it reports is the same ``bubblewrap(...)`` as before:
every guarantee of that level holds (tests/engine/test_hostile.py runs the corpus through it, and
``hostile/fork_server_leaks.py`` checks that nothing a worker does reaches the next one).

Used only where it gives what a worker started by ``bwrap`` gets, and otherwise not at all (the
worker starts as before): at the bubblewrap level, by a grader running as root (each worker then
gets a uid of its own; a server in a user namespace could only hand out the same uid to all),
for the default launch profile (not the TensorFlow one: every installed package in view, devices,
and a library that must never be forked). ``AUTOGRADER_SANDBOX_FORKSERVER=0`` turns it off; a
server that fails to start or to start a worker is retired, with its reason kept in
:data:`RETIRED`, and the workers start as before.

The descriptors of a request travel over a Unix socket (``SCM_RIGHTS``); the relay process of each
worker tells its pid through the kernel's credentials (``SO_PASSCRED``: translated into our pid
namespace), then the worker's exit status.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path

from . import isolation

#: Why the fork server is not used in this process (None: it is, where it applies).
RETIRED: str | None = None
#: This process's servers, one per view (the packages a profile lets its workers import).
_SERVERS: dict[tuple, "ForkServer"] = {}
STATUS = struct.Struct("i")
#: The capabilities the server keeps inside its sandbox (workers give up all of them).
CAPS = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")


def applies(limits: "isolation.Limits") -> bool:
    """Would a bubblewrap worker for ``limits`` be forked by the server in this process?"""
    return (RETIRED is None and os.environ.get("AUTOGRADER_SANDBOX_FORKSERVER", "1") != "0"
            and os.geteuid() == 0 and "bubblewrap" in limits.levels
            and "bubblewrap" not in isolation.FAILED_LEVELS
            and isolation.ALL_PACKAGES not in limits.packages and not limits.devices
            and shutil.which("bwrap") is not None)


def _key(limits: "isolation.Limits") -> tuple:
    # What shapes the server's view; everything else travels with each request.
    return tuple(limits.packages)


def server(limits: "isolation.Limits") -> "ForkServer":
    """This process's server for ``limits`` (started at the first call; a grader forked from
    another starts its own: the servers it inherited are its parent's)."""
    key = _key(limits)
    found = _SERVERS.get(key)
    if found is None or found.owner != os.getpid():
        if any(s.owner != os.getpid() for s in _SERVERS.values()):
            _SERVERS.clear()
        found = _SERVERS[key] = ForkServer(limits)
    return found


def box_parent(limits: "isolation.Limits") -> Path | None:
    """Where a box for ``limits`` must live to be forked into (None: anywhere)."""
    if not applies(limits):
        return None
    try:
        return server(limits).boxes
    except OSError as exc:
        retire(f"the fork server did not start: {exc}")
        return None


def retire(why: str) -> None:
    """Stop using fork servers in this process; new workers start as before. (The servers stay
    until the grader exits: stopping one would end the workers it forked that are still in use.)
    """
    global RETIRED
    RETIRED = why


def shutdown() -> None:
    """Stop this process's servers, and every worker they forked."""
    for found in _SERVERS.values():
        found.stop()
    _SERVERS.clear()


class ForkServer:
    """The grader's end of one :mod:`.zygote` process."""

    def __init__(self, limits: "isolation.Limits"):
        self.owner, self.key = os.getpid(), _key(limits)
        base = "/var/tmp" if os.access("/var/tmp", os.W_OK) else None
        self.root = Path(tempfile.mkdtemp(prefix="autograder-forkserver-", dir=base))
        self.proc: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        try:
            self._start(limits)
        except BaseException:
            self.stop()
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        atexit.register(self._at_exit)

    def _start(self, limits: "isolation.Limits") -> None:
        # Boxes are reachable by the uid of their own worker only (a group of theirs), and at the
        # rlimits-only level, where a box made here may still end up, through this directory.
        os.chmod(self.root, 0o711)
        self.boxes = self.root / "boxes"
        self.boxes.mkdir(mode=0o711)
        os.chmod(self.boxes, 0o711)
        agworker = self.root / "runtime" / "agworker"
        isolation.write_runtime(agworker)
        packages = isolation.package_dirs(limits)
        view = isolation.bwrap_view(
            agworker, packages, limits, True,
            ["--ro-bind", str(self.boxes), "/boxes", "--perms", "0755", "--dir",
             "/sandbox/submission"], caps=CAPS)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = ours
        stderr = os.open(self.root / "server-stderr.txt",
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            self.proc = subprocess.Popen(
                [*view, *isolation._bootstrap("/sandbox/runtime", "zygote"), str(theirs.fileno())],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                pass_fds=(theirs.fileno(),), close_fds=True, start_new_session=True)
        finally:
            os.close(stderr)
            theirs.close()

    def fork(self, box: "isolation.SandboxDir", config: dict, fd_in: int, fd_out: int,
             stderr: int, deadline: float) -> "ForkedWorker":
        """Ask for a worker of ``box`` with ``config`` (the worker's, plus where its box is)."""
        if self.proc is None or self.proc.poll() is not None or self.control is None:
            raise OSError("the fork server is not running")
        request = {**config, "box": box.root.name, "tmp_bytes": box.limits.tmp_bytes}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            socket.send_fds(self.control, [json.dumps(request).encode()],
                            [fd_in, fd_out, stderr, theirs.fileno()])
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        return ForkedWorker(ours, deadline)

    def _at_exit(self) -> None:
        if self.owner == os.getpid():   # not in a grader forked from ours
            self.stop()
            shutil.rmtree(self.root, ignore_errors=True)

    def stop(self) -> None:
        """End the server and its workers. (Its directory stays until the grader exits: boxes
        made in it may still be in use.)"""
        if self.owner != os.getpid():
            return
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None


class ForkedWorker:
    """A forked worker as :mod:`.proxy` and :mod:`.teardown` see a ``Popen``: ``pid`` (its
    relay's, in our pid namespace), ``returncode``, ``poll``, ``wait``, ``kill``.

    The relay is the server's child, not ours: its pid is pinned by a pidfd (a pid freed and reused
    meanwhile is never signalled), and its end is read from the status socket, never waited for.
    """

    def __init__(self, status: socket.socket, deadline: float):
        self._status = status
        self._status.setblocking(False)
        self._deadline = deadline
        self._pid: int | None = None
        self._pidfd: int | None = None
        self.returncode: int | None = None

    @property
    def pid(self) -> int | None:
        """The relay's pid, waited for until the start deadline (None if it never came)."""
        if self._pid is None and self.returncode is None:
            self._read(self._deadline)
        return self._pid

    def _read(self, until: float | None) -> None:
        """Read what the relay said (its pid, then the worker's exit status), waiting until
        ``until`` (None: not at all) for the next message."""
        while self.returncode is None:
            try:
                data, ancillary, _, _ = self._status.recvmsg(
                    16, socket.CMSG_SPACE(struct.calcsize("3i")))
            except BlockingIOError:
                left = 0 if until is None else until - time.monotonic()
                if left <= 0 or not select.select([self._status], [], [], left)[0]:
                    return
                continue
            except OSError:
                data, ancillary = b"", []
            if not data:   # the relay ended without a word: killed (by us) before it spoke
                self._finish(-signal.SIGKILL)
            elif data == b"S":
                for level, kind, payload in ancillary:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                        self._pin(struct.unpack("3i", payload[:12])[0])
                if self._pid is not None and until is not None and until != float("inf"):
                    return   # the pid was what we waited for
            else:
                self._finish(STATUS.unpack(data[:STATUS.size])[0])

    def _pin(self, pid: int) -> None:
        if pid <= 1:
            return
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            return   # already gone (its status follows) or a kernel without pidfds
        # The relay writes the status before it ends: nothing to read yet means that it was
        # alive when the pidfd was opened, so the pidfd is the relay's, not a reused pid's.
        try:
            ended = self._status.recv(16, socket.MSG_PEEK) is not None
        except BlockingIOError:
            ended = False
        except OSError:
            ended = True
        if ended:
            os.close(fd)
            return
        self._pid, self._pidfd = pid, fd

    def _finish(self, code: int) -> None:
        self.returncode = code
        self._status.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def poll(self) -> int | None:
        self._read(None)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        until = float("inf") if timeout is None else time.monotonic() + timeout
        self._read(until)
        if self.returncode is None:
            raise subprocess.TimeoutExpired("fork server worker", timeout)
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None and self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass
