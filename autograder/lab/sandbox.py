"""Start the lab worker in a fresh, isolated process and read back plain data.

The worker is *spawned* (``subprocess`` with fork + exec of a new interpreter), never forked from
a Python process that has run TensorFlow: a forked child of TensorFlow hangs on its thread pools.
The trusted parent never imports TensorFlow at all.

Isolation, strongest available first (detected once, reported in ``Results.isolation``):

``unshare+ro``
    user, network, mount and PID namespaces (``unshare --net --map-root-user --mount --pid``):
    no network, every mount read-only except a private ``/tmp`` (the worker's own directory bound
    there), the repository's ``tests/`` and ``solutions/`` hidden under empty tmpfs, and every
    process of the submission killed with the namespace when the worker ends or times out.
``unshare``
    the same namespaces without the read-only remounts (where remounting is refused).
``rlimits``
    a plain child process in its own session: limits and the wall-clock timeout only.

In every case the worker runs with resource limits it cannot raise (CPU seconds, address space,
file size, open files, no core dumps) and the parent kills its whole process group at the
wall-clock deadline. TensorFlow needs more than 2.5 GiB of address space and dozens of threads,
so the address-space limit defaults to 16 GiB and threads are not limited (the PID namespace and
the deadline bound them instead).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("worker.py")
GIB = 1024 ** 3
MAX_RESULT_BYTES = 8 * 1024 ** 2
MAX_ARRAY_BYTES = 64 * 1024 ** 2

# $1: the worker's directory (bound over /tmp); $2: ':'-separated directories to hide; $3:
# ':'-separated directories under /tmp to keep visible (a virtual environment made in /tmp, as CI
# does: bound at the same path inside the new /tmp before it replaces the old one); then the command.
_MOUNT_SCRIPT = r"""
set -e
work="$1"; hide="$2"; keep="$3"; shift 3
IFS=:
for k in $keep; do
  rel="${k#/tmp/}"
  mkdir -p "$work/$rel"
  mount --bind "$k" "$work/$rel"
done
unset IFS
mount --rbind "$work" /tmp
for m in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do
  case "$m" in
    /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|/tmp) ;;
    *) mount -o remount,bind,ro "$m" 2>/dev/null || true ;;
  esac
done
if touch /.autograder-rw-probe 2>/dev/null; then echo "root file system is still writable" >&2; exit 97; fi
IFS=:
for d in $hide; do [ -d "$d" ] && mount -t tmpfs -o ro,size=4k none "$d"; done
unset IFS
cd /tmp
exec "$@"
"""
_NAMESPACES = ["unshare", "--net", "--map-root-user", "--mount", "--pid", "--fork", "--kill-child"]


def _kept_under_tmp() -> str:
    """The interpreter's directories that live under /tmp, which the worker's /tmp would hide."""
    import site

    dirs = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)),
            *site.getsitepackages()}
    under = sorted(os.path.realpath(d) for d in dirs
                   if os.path.realpath(d).startswith("/tmp/") and os.path.isdir(d))
    # Keep the outermost only: binding a directory already inside a kept one is redundant.
    outer = [d for d in under if not any(d != o and d.startswith(o + "/") for o in under)]
    return ":".join(outer)


@lru_cache(maxsize=None)
def isolation_mode() -> str:
    """The strongest isolation this machine allows: ``unshare+ro``, ``unshare`` or ``rlimits``."""
    if shutil.which("unshare") is None:
        return "rlimits"
    with tempfile.TemporaryDirectory(prefix="lab-probe-") as probe:
        # The probe starts this interpreter inside, as the worker will: a mount layout that
        # hides it (or its site-packages) must not be chosen.
        check = [sys.executable, "-s", "-c", "import numpy"]
        for mode, cmd in (("unshare+ro", _NAMESPACES + ["--mount-proc", "sh", "-c", _MOUNT_SCRIPT,
                                                          "probe", probe, "", _kept_under_tmp(),
                                                          *check]),
                          ("unshare", _NAMESPACES + check)):
            try:
                if subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0:
                    return mode
            except (OSError, subprocess.SubprocessError):
                continue
    return "rlimits"


@dataclass
class WorkerRun:
    """What came back from one worker: plain data only."""

    data: dict = field(default_factory=dict)          # result.json (empty if none was written)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    isolation: str = "rlimits"
    returncode: int | None = None
    timed_out: bool = False
    wall_seconds: float = 0.0
    log_tail: str = ""                                 # the worker's own stderr (not the submission's prints)


def default_limits(timeout: float, *, gpu: bool = False) -> dict[str, int]:
    return {
        # CPU seconds summed over threads: the whole deadline on every core, plus a margin.
        "RLIMIT_CPU": int(timeout * (os.cpu_count() or 1) + 30),
        # TensorFlow on CPU peaks near 2.3 GiB here; CUDA maps far more address space than it
        # uses (unified memory), so on a GPU the address space is left unlimited.
        "RLIMIT_AS": -1 if gpu else 16 * GIB,
        "RLIMIT_FSIZE": 64 * 1024 ** 2,
        "RLIMIT_NOFILE": 1024,
        "RLIMIT_CORE": 0,
    }


def _worker_env(workdir_inside: str, device: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": workdir_inside,
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(workdir_inside, ".matplotlib"),
        "KERAS_HOME": os.path.join(workdir_inside, ".keras"),
        "KERAS_BACKEND": "tensorflow",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TF_DETERMINISTIC_OPS": "1",
    }
    # The GPU runner needs its CUDA libraries and device selection to reach TensorFlow.
    for name in ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "NVIDIA_VISIBLE_DEVICES"):
        if name in os.environ:
            env[name] = os.environ[name]
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = "-1"   # a CUDA build of TensorFlow then stays on the CPU
    return env


def _read_back(out: Path) -> tuple[dict, dict[str, np.ndarray]]:
    data: dict = {}
    arrays: dict[str, np.ndarray] = {}
    result = out / "result.json"
    if result.is_file() and result.stat().st_size <= MAX_RESULT_BYTES:
        try:
            loaded = json.loads(result.read_text(encoding="utf-8"))
            data = loaded if isinstance(loaded, dict) else {}
        except (ValueError, UnicodeDecodeError, RecursionError):
            data = {}
    npz = out / "arrays.npz"
    if npz.is_file() and npz.stat().st_size <= MAX_ARRAY_BYTES:
        try:
            with np.load(npz, allow_pickle=False) as stored:
                arrays = {name: np.array(stored[name]) for name in stored.files}
        except (ValueError, OSError, EOFError, KeyError):
            arrays = {}
    return data, arrays


def _wait_unreaped(proc: subprocess.Popen, timeout: float) -> bool:
    """Wait for the worker to exit *without reaping it*; True when the deadline passed first.

    While the exited leader is a zombie its process-group id cannot be reused, so the kill of
    the group that follows can only reach the worker and whatever it left running.
    """
    if not hasattr(os, "waitid"):  # pragma: no cover - not Linux
        try:
            proc.wait(timeout=timeout)
            return False
        except subprocess.TimeoutExpired:
            return True
    deadline = time.monotonic() + timeout
    while True:
        try:
            if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
                return False
        except ChildProcessError:
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.05)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def run_worker(chunks: list[tuple[int, str]], spec: dict, *, timeout: float,
               isolation: str | None = None, device: str = "cpu") -> WorkerRun:
    """Run the worker on the notebook's code ``chunks`` with the grader's ``spec``; wait at most ``timeout`` s.

    ``device``: ``"cpu"`` hides any GPU from TensorFlow; ``"gpu"`` lets it use one (and lifts the
    address-space limit, which CUDA cannot live with).
    """
    if device not in ("cpu", "gpu"):
        raise ValueError(f"device must be 'cpu' or 'gpu', not {device!r}")
    mode = isolation or isolation_mode()
    spec = dict(spec)
    spec.setdefault("limits", default_limits(timeout, gpu=device == "gpu"))
    with tempfile.TemporaryDirectory(prefix="lab-grade-") as parent_dir:
        work = Path(parent_dir) / "work"        # all the submission may touch
        work.mkdir()
        shutil.copy2(WORKER, work / "worker.py")
        (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        (work / "cells.json").write_text(json.dumps(chunks), encoding="utf-8")
        inside = "/tmp" if mode == "unshare+ro" else str(work)
        command = [sys.executable, "-s", os.path.join(inside, "worker.py"), inside]
        if mode == "unshare+ro":
            hide = ":".join(str(ROOT / d) for d in ("tests", "solutions"))
            command = (_NAMESPACES + ["--mount-proc", "sh", "-c", _MOUNT_SCRIPT, "sandbox", str(work), hide,
                                      _kept_under_tmp()] + command)
        elif mode == "unshare":
            command = _NAMESPACES + command
        log_path = Path(parent_dir) / "worker-stderr.txt"
        started = time.perf_counter()
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(command, cwd=work, env=_worker_env(inside, device), stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log, start_new_session=True, close_fds=True)
            try:
                timed_out = _wait_unreaped(proc, timeout)
            finally:
                _kill_group(proc)  # also ends anything the submission left running, then reaps
        wall = time.perf_counter() - started
        data, arrays = _read_back(work / "out")
        with open(log_path, "rb") as log:
            log.seek(max(0, log_path.stat().st_size - 4000))
            tail = log.read().decode("utf-8", errors="replace")
    return WorkerRun(data=data, arrays=arrays, isolation=mode, returncode=proc.returncode,
                     timed_out=timed_out, wall_seconds=round(wall, 3), log_tail=tail)
