"""Ending a worker together with every process its submission started, before a score is written.

Killing the worker's process group is not enough: a submission can leave it
(``subprocess.Popen(..., start_new_session=True)``, ``setsid``, a double fork) and live on after
grading, long enough to forge a results file or keep a core busy. What catches every one of them
depends on the isolation level:

* **a pid namespace** (bubblewrap, unshare): every process of the submission lives in it, and when
  the namespace's init (a child of the process we started) dies, the kernel kills every other one
  *before* that init becomes a zombie. So we list every process below the one we started, kill
  them all and wait until each is gone or a zombie: then the namespace is empty.
* **a dedicated uid** (a root grader gives each worker a uid no one else uses): whatever the
  submission started runs as that uid, wherever it went in the process tree. We kill every process
  of that uid, then look again, until none is left alive.

A worker that shares a uid with other programs and has no pid namespace (a grader that is not
root, at the rlimits-only level) gets the process-tree sweep only: a process that left the tree
(a double fork) cannot be told from the user's own programs there. README says so.

Standard library only; Linux's /proc.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

#: How long to wait for the processes killed to be gone (a process in uninterruptible sleep, a
#: namespace of many processes); a kill that takes longer is reported, never ignored.
DEADLINE_SECONDS = 5.0


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    uids: tuple[int, ...]     # real, effective, saved, file-system
    state: str                # "R", "S", "Z" (a zombie: dead, waiting to be reaped), ...
    started: int              # clock ticks after boot: (pid, started) names one process for good

    @property
    def alive(self) -> bool:
        return self.state not in ("Z", "X")


def _read_status(pid: int, with_uids: bool = True) -> Process | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
        status = ""
        if with_uids:
            with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
                status = f.read()
    except OSError:   # gone meanwhile
        return None
    # The command name, in parentheses, may hold spaces and parentheses itself.
    after_name = stat[stat.rfind(")") + 2:].split()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    try:
        uids = tuple(int(u) for u in fields["Uid"].split()) if with_uids else ()
        return Process(pid, int(after_name[1]), uids, after_name[0], int(after_name[19]))
    except (KeyError, ValueError, IndexError):
        return None


def processes(with_uids: bool = True) -> list[Process]:
    """Every process in this pid namespace's view of /proc (threads are not processes here);
    without their uids, one file read each instead of two."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    found = (_read_status(int(name), with_uids) for name in names if name.isdigit())
    return [p for p in found if p is not None]


def _children(pid: int) -> list[int] | None:
    """The children of every thread of ``pid``, from the kernel's lists (None: no such lists,
    a kernel without CONFIG_PROC_CHILDREN)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return [] if os.path.isdir("/proc/self/task") else None
    found = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                found += [int(c) for c in f.read().split()]
        except FileNotFoundError:
            if not os.path.exists(f"/proc/self/task/{os.getpid()}/children"):
                return None
        except OSError:   # the thread ended meanwhile
            pass
    return found


def _walk_children(pid: int) -> list[Process] | None:
    """``descendants`` from the kernel's lists of children: a few reads per process of the tree
    instead of one per process of the machine."""
    out, todo = [], [pid]
    while todo:
        children = _children(todo.pop())
        if children is None:
            return None
        for child in children:
            p = _read_status(child, with_uids=False)
            if p is not None:
                out.append(p)
                todo.append(p.pid)
    return out


def descendants(pid: int, table: list[Process] | None = None) -> list[Process]:
    """The processes below ``pid`` in the process tree (not ``pid`` itself), parents first."""
    if table is None:
        walked = _walk_children(pid)
        if walked is not None:
            return walked
    table = processes(with_uids=False) if table is None else table
    children: dict[int, list[Process]] = {}
    for p in table:
        children.setdefault(p.ppid, []).append(p)
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child.pid)
    return out


def of_uid(uid: int, table: list[Process] | None = None) -> list[Process]:
    """The live processes that run as ``uid`` (any of their uids: a setuid program counts)."""
    table = processes() if table is None else table
    return [p for p in table if uid in p.uids and p.alive and p.pid != os.getpid()]


def _kill(process: Process) -> None:
    """SIGKILL ``process``, unless its pid now names another process (checked through a pidfd,
    which pins the process: a pid freed and reused in between is never signalled)."""
    try:
        fd = os.pidfd_open(process.pid)
    except ProcessLookupError:   # gone
        return
    except OSError:              # a kernel without pidfds (before 5.3): the pid, checked just before
        now = _read_status(process.pid, with_uids=False)
        if now is not None and now.started == process.started:
            with contextlib.suppress(OSError):
                os.kill(process.pid, signal.SIGKILL)
        return
    try:
        now = _read_status(process.pid, with_uids=False)
        if now is not None and now.started == process.started:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
    except OSError:
        pass
    finally:
        os.close(fd)


def wait_dead(killed: list[Process]) -> list[Process]:
    """Wait until none of ``killed`` is alive (gone, a zombie, or its pid now another process's);
    those still alive at the deadline are returned."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        alive = [p for p in killed if (now := _read_status(p.pid, with_uids=False)) is not None
                 and now.started == p.started and now.alive]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.002)


def kill_uid(uid: int) -> list[Process]:
    """Kill every process of ``uid`` until none is left alive; those left at the deadline are
    returned. Only for a uid no one else uses (each fork between two looks is caught by the
    next: a killed process forks no more, and RLIMIT_NPROC bounds how many there can be)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        alive = of_uid(uid)
        if not alive or time.monotonic() > deadline:
            return alive
        for p in alive:
            _kill(p)
        time.sleep(0.002)


def _below(proc) -> list[Process]:
    """The processes below a running worker ``proc``: a ``Popen`` of ours (unreaped, its pid is
    pinned), or a worker forked by the fork server (.forkserver.ForkedWorker), whose relay is
    not our child: its list counts only if the relay was still running after it was made."""
    if proc.returncode is not None:
        return []
    if isinstance(proc, subprocess.Popen):
        return descendants(proc.pid)
    if proc.poll() is not None or not proc.pid:
        return []
    found = descendants(proc.pid)
    return found if proc.poll() is None else []


def end_worker(proc: subprocess.Popen, *, uid: int | None) -> None:
    """Kill the worker ``proc`` and every process it or its submission started, and reap it.

    Everything below the process we started is looked up first (while ``proc``, unreaped, still
    pins its pid), then killed, parents first, and waited for: at the namespace levels that list
    holds the namespace's init, whose death ends the whole namespace; at rlimits-only, whatever
    has not left the tree. Then, with a dedicated ``uid``, every process of that uid wherever it
    went (needed where there is no pid namespace: the caller passes ``uid`` there only). Returns
    when none of them is alive (or after warning, on stderr, about any the kernel
    did not end in time).
    """
    below = _below(proc)
    if isinstance(proc, subprocess.Popen):
        try:   # the group of the process we started (at rlimits-only, the worker's own)
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.kill()
    except OSError:
        pass
    for p in below:
        _kill(p)
    left = wait_dead(below)
    try:
        proc.wait(timeout=DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        left.append(Process(proc.pid, os.getpid(), (), "?", 0))
    if uid is not None:
        left += kill_uid(uid)
    if left:
        print(f"autograder: warning: {len(left)} process(es) of a grading worker are still "
              f"running after SIGKILL: pids {sorted(p.pid for p in left)}", file=sys.stderr)
