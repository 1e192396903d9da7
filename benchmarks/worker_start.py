"""What one sandboxed worker costs to start and stop: forked by the fork server, or as before.

    python benchmarks/worker_start.py [--starts 30]

Both ways run in the same process, interleaved in rounds (one start each way per round), on a
copy of ``solutions/``, at the bubblewrap level (the only one the fork server serves; a root
grader). Each start is a ``GradingWorker`` started (until its first message) and closed.

CPU is read from /proc, per process, not from this process's rusage: a worker killed in its
namespace is reaped by its namespace's init, never by us, so ``RUSAGE_CHILDREN`` misses it.
"grader CPU" is this process's; "sandbox CPU" the CPU of the worker's process tree (bubblewrap,
its init and the worker; or the relay, the init and the worker), read just before it is
stopped; "server CPU" the fork server's own CPU over the forked starts (forking costs the
parent), per start. The server's own start (once per grading process) is a row of its own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.sandbox import forkserver, proxy, teardown  # noqa: E402
from autograder.sandbox.isolation import Limits  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    """utime + stime of ``pid`` and of its children it has reaped, in seconds (0 if gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().decode().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / TICK


def tree_cpu(pid: int | None) -> float:
    if not pid:
        return 0.0
    return cpu_of(pid) + sum(cpu_of(p.pid) for p in teardown.descendants(pid))


def server_cpu() -> float:
    return sum(tree_cpu(s.proc.pid) for s in forkserver._SERVERS.values() if s.proc is not None)


def one_start(submission: Path, limits: Limits) -> tuple[float, float, float]:
    """(wall s, grader CPU s, sandbox CPU s) of one worker started and stopped."""
    cpu, wall = time.process_time(), time.perf_counter()
    worker = proxy.GradingWorker(submission, limits)
    worker.start()
    sandbox = tree_cpu(worker.proc.pid)
    worker.close()
    return time.perf_counter() - wall, time.process_time() - cpu, sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=30)
    args = parser.parse_args()
    limits = Limits.from_env(levels=("bubblewrap",))
    if not forkserver.applies(limits):
        sys.exit("the fork server does not apply here (it serves a root grader with bwrap)")
    rows: dict[str, list[tuple[float, float, float]]] = {"forked": [], "own process": []}
    server_spent = 0.0
    with tempfile.TemporaryDirectory(prefix="worker-start-") as tmp:
        submission = Path(tmp) / "solutions"
        shutil.copytree(REPO / "solutions", submission, ignore=shutil.ignore_patterns("__pycache__"))
        # The server's own start: once per grading process.
        wall = time.perf_counter()
        worker = proxy.GradingWorker(submission, limits)
        worker.start()
        first = (time.perf_counter() - wall, server_cpu() + tree_cpu(worker.proc.pid))
        worker.close()
        for _ in range(args.starts):
            before = server_cpu()
            rows["forked"].append(one_start(submission, limits))
            server_spent += server_cpu() - before
            os.environ["AUTOGRADER_SANDBOX_FORKSERVER"] = "0"   # off, for one start
            try:
                rows["own process"].append(one_start(submission, limits))
            finally:
                del os.environ["AUTOGRADER_SANDBOX_FORKSERVER"]
        assert forkserver.RETIRED is None, forkserver.RETIRED
    print(f"one worker started and stopped at the bubblewrap level, {args.starts} interleaved "
          f"rounds, medians, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"{'how':<34}{'wall s':>9}{'grader CPU s':>14}{'sandbox CPU s':>15}{'total CPU s':>13}")
    totals = {}
    for how, runs in rows.items():
        wall, grader, sandbox = (statistics.median(r[i] for r in runs) for i in range(3))
        extra = server_spent / args.starts if how == "forked" else 0.0
        totals[how] = grader + sandbox + extra
        label = how + (f" (+{extra * 1000:.1f} ms server)" if extra else "")
        print(f"{label:<34}{wall:9.4f}{grader:14.4f}{sandbox + extra:15.4f}{totals[how]:13.4f}")
    print(f"{'fork server start (once a process)':<34}{first[0]:9.4f}{'':>14}{first[1]:15.4f}")
    print(f"\nCPU per start: {totals['own process'] / totals['forked']:.1f}x less when forked")


if __name__ == "__main__":
    main()
