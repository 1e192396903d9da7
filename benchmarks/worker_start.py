"""What one sandboxed worker costs to start and stop: forked by the fork server, or as before.

    python benchmarks/worker_start.py [--starts 30] [--grade-many 12 [--rounds 3] [--against TREE]]

Both ways run in the same process, interleaved in rounds (one start each way per round), on a
copy of ``solutions/``, at the bubblewrap level (the only one the fork server serves; a root
grader). Each start is a ``GradingWorker`` started (until its first message) and closed.

CPU is read from /proc, per process, not from this process's rusage: a worker killed in its
namespace is reaped by its namespace's init, never by us, so ``RUSAGE_CHILDREN`` misses it.
"grader CPU" is this process's; "sandbox CPU" the CPU of the worker's process tree (bubblewrap,
its init and the worker; or the relay, the init and the worker), read just before it is
stopped; "server CPU" the fork server's own CPU over the forked starts (forking costs the
parent), per start. The server's own start (once per grading process) is a row of its own.

``--grade-many N``: then ``grade_many`` (one session, every non-Keras test) over N copies of
``solutions/``, after two untimed warm-up copies, in a fresh process each time: with the fork
server, without it, and (``--against TREE``) with another checkout's autograder (a worktree of
an earlier commit), interleaved over ``--rounds`` rounds; per submission, the median. Its CPU is
that of every process the run started, killed workers included: each run gets a cpuacct cgroup of
its own when this machine lets us make one (root, cgroup v1), else the whole machine's CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
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


CGROUPS = Path("/sys/fs/cgroup/cpuacct")
#: Run in a fresh process, in the tree being measured: prints the CPU (cgroup or machine) and
#: wall seconds of grade_many over the copies after the first two.
SESSION = """
import json, sys, time
from pathlib import Path
tree, group, copies = sys.argv[1], sys.argv[2], [Path(p) for p in sys.argv[3:]]
sys.path[:0] = [tree, tree + "/benchmarks"]
from grade_speed import non_keras_tests
from autograder.grading import grade_many
def cpu():
    if group:
        return int(open(group + "/cpuacct.usage").read()) / 1e9
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    import os
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
tests = non_keras_tests()
grade_many(copies[:2], tests=tests)
c, w = cpu(), time.perf_counter()
grade_many(copies[2:], tests=tests)
print(json.dumps({"cpu": cpu() - c, "wall": time.perf_counter() - w}))
"""


def _cgroup(name: str) -> str:
    """A fresh cpuacct cgroup's directory, or "" when none can be made here."""
    try:
        path = CGROUPS / name
        path.mkdir()
        return str(path)
    except OSError:
        return ""


def grade_many_rows(copies: list[Path], rounds: int, against: Path | None) -> None:
    runs = {"this tree, fork server": (REPO, "1"), "this tree, no fork server": (REPO, "0")}
    if against is not None:
        runs[f"{against} (its own start)"] = (against, "1")
    seen: dict[str, list[tuple[float, float]]] = {how: [] for how in runs}
    cgroups = True
    for r in range(rounds):
        for how, (tree, fork) in runs.items():
            group = _cgroup(f"worker-start-{os.getpid()}-{r}-{fork}-{len(seen[how])}-{tree.name}")
            cgroups = cgroups and bool(group)

            def enter(group=group):
                if group:
                    Path(group, "cgroup.procs").write_text(str(os.getpid()))

            env = {**os.environ, "PYTHONPATH": str(tree), "AUTOGRADER_SANDBOX_FORKSERVER": fork}
            out = subprocess.run([sys.executable, "-c", SESSION, str(tree), group,
                                  *map(str, copies)], cwd=tree, env=env, preexec_fn=enter,
                                 capture_output=True, text=True, check=True)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            seen[how].append((got["cpu"] / (len(copies) - 2), got["wall"] / (len(copies) - 2)))
            if group:
                os.rmdir(group)
    where = "its cgroup" if cgroups else "the whole machine (/proc/stat)"
    print(f"\ngrade_many, per submission, {len(copies) - 2} submissions a session, medians of "
          f"{rounds} interleaved rounds; CPU of {where}")
    print(f"{'how':<50}{'CPU s':>9}{'wall s':>9}  CPU s of each round")
    for how, values in seen.items():
        print(f"{how:<50}{statistics.median(v[0] for v in values):9.3f}"
              f"{statistics.median(v[1] for v in values):9.3f}  "
              + " ".join(f"{v[0]:.3f}" for v in values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=30)
    parser.add_argument("--grade-many", type=int, default=0, metavar="N")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    limits = Limits.from_env(levels=("bubblewrap",))
    if not forkserver.applies(limits):
        sys.exit("the fork server does not apply here (it serves a root grader with bwrap)")
    with tempfile.TemporaryDirectory(prefix="worker-start-") as tmp:
        copies = []
        for i in range(max(1, args.grade_many + 2 if args.grade_many else 1)):
            copies.append(Path(tmp) / f"s{i}")
            shutil.copytree(REPO / "solutions", copies[-1],
                            ignore=shutil.ignore_patterns("__pycache__"))
        start_rows(copies[0], limits, args.starts)
        if args.grade_many:
            grade_many_rows(copies, args.rounds, args.against)


def _usage(group: str) -> float:
    return int(Path(group, "cpuacct.usage").read_text()) / 1e9


def _join(group: str, pids: list[int]) -> None:
    for pid in pids:
        try:
            Path(group, "cgroup.procs").write_text(str(pid))
        except OSError:   # gone meanwhile
            pass


def start_rows(submission: Path, limits: Limits, starts: int) -> None:
    """The table of one start, each way; CPU means (a /proc tick is 10 ms), wall medians."""
    groups = {how: _cgroup(f"worker-start-{os.getpid()}-{how.replace(' ', '-')}")
              for how in ("server", "forked", "own process")}
    exact = all(groups.values())
    home = Path("/proc/self/cgroup").read_text()
    rows: dict[str, list[tuple[float, float, float]]] = {"forked": [], "own process": []}
    spent = {"forked": 0.0, "own process": 0.0}
    server_spent = 0.0
    try:
        # The server's own start: once per grading process.
        if exact:
            _join(groups["server"], [os.getpid()])
        wall = time.perf_counter()
        worker = proxy.GradingWorker(submission, limits)
        worker.start()
        first = (time.perf_counter() - wall, server_cpu() + tree_cpu(worker.proc.pid))
        worker.close()
        if exact:
            first = (first[0], _usage(groups["server"]))
            (server,) = forkserver._SERVERS.values()
            _join(groups["forked"], [server.proc.pid,
                                     *(p.pid for p in teardown.descendants(server.proc.pid))])
        for _ in range(starts):
            for how in ("forked", "own process"):
                os.environ["AUTOGRADER_SANDBOX_FORKSERVER"] = "1" if how == "forked" else "0"
                if exact:
                    _join(groups[how], [os.getpid()])
                    before = _usage(groups[how])
                else:
                    before = server_cpu()
                rows[how].append(one_start(submission, limits))
                if exact:
                    spent[how] += _usage(groups[how]) - before
                elif how == "forked":
                    server_spent += server_cpu() - before
        del os.environ["AUTOGRADER_SANDBOX_FORKSERVER"]
        assert forkserver.RETIRED is None, forkserver.RETIRED
    finally:
        if exact:
            forkserver.shutdown()
            root = str(CGROUPS)
            _join(root, [os.getpid()])
            for group in groups.values():
                try:
                    os.rmdir(group)
                except OSError:
                    pass
    how_cpu = ("each way's cpuacct cgroup (exact)" if exact
               else "/proc, per process (10 ms ticks)")
    print(f"one worker started and stopped at the bubblewrap level, {starts} interleaved rounds, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; CPU means from {how_cpu}, "
          "wall medians")
    print(f"{'how':<36}{'wall s':>9}{'grader CPU s':>14}{'other CPU s':>13}{'total CPU s':>13}")
    totals = {}
    for how, runs in rows.items():
        wall = statistics.median(r[0] for r in runs)
        grader = statistics.mean(r[1] for r in runs)
        if exact:
            total = spent[how] / starts
        else:
            total = grader + statistics.mean(r[2] for r in runs) + \
                (server_spent / starts if how == "forked" else 0.0)
        totals[how] = total
        label = how + (" (worker + fork server)" if how == "forked" else " (bwrap + worker)")
        print(f"{label:<36}{wall:9.4f}{grader:14.4f}{total - grader:13.4f}{total:13.4f}")
    print(f"{'fork server start (once a process)':<36}{first[0]:9.4f}{'':>14}{first[1]:13.4f}")
    print(f"\nCPU per start: {totals['own process'] / totals['forked']:.1f}x less when forked")


if __name__ == "__main__":
    main()
