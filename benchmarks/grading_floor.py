"""Where a graded submission's time goes, and the throughput ceiling that follows on this machine.

    python benchmarks/grading_floor.py [--submissions 20]

Each row is a grading session (``grade_many``, tests collected once) over copies of
``solutions/`` on every non-Keras test, per submission, after two untimed warm-up submissions:

* pytest's own protocol with every test body replaced by a no-op (setup, call and teardown
  phases, fixtures, reports, our results hook): the cost of running 293 pytest items at all;
* the full tests in-process (``isolate=False``);
* the full tests through the sandbox;

then what the sandbox adds, measured on its own: one worker started and stopped (an interpreter
and numpy inside bubblewrap), and one round trip of a trivial call, times the calls a submission
makes. "machine CPU" is the CPU time of every process on the machine (``/proc/stat``) over the
run, divided by the submissions: the worker's CPU is in it, and it is what two cores must supply.
The ceiling is ``cores / machine CPU``: no scheduling can grade faster than that.

The no-op row patches pytest's ``Function.runtest`` in this process only; nothing else is patched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from grade_speed import non_keras_tests  # noqa: E402

from autograder.grading import grade_many, sandbox_available  # noqa: E402


def machine_cpu() -> float:
    """CPU seconds spent by the whole machine so far (every process, user and system)."""
    try:
        fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    except OSError:   # not Linux: this process and its children only
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system
    idle = fields[3] + fields[4]   # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measure(fn, n: int) -> tuple[float, float]:
    """(wall, machine CPU) seconds per unit of ``fn()``, which does ``n`` units."""
    cpu, wall = machine_cpu(), time.perf_counter()
    fn()
    return (time.perf_counter() - wall) / n, (machine_cpu() - cpu) / n


def session(copies: list[Path], tests: list[Path], isolate: bool, noop: bool = False):
    import _pytest.python

    original = _pytest.python.Function.runtest
    if noop:
        _pytest.python.Function.runtest = lambda self: None
    # The no-op bodies replace pytest's Function.runtest, which only pytest's own test loop calls
    # (the session's thin loop calls the test functions itself).
    loop = "pytest" if noop else "thin"
    try:
        grade_many(copies[:2], tests=tests, isolate=isolate, test_loop=loop)   # warm-up
        return measure(lambda: grade_many(copies[2:], tests=tests, isolate=isolate,
                                          test_loop=loop), len(copies) - 2)
    finally:
        _pytest.python.Function.runtest = original


def sandbox_parts(submission: Path, tests: list[Path], runs: int):
    """Worker start+stop, one trivial call, and the calls one submission makes."""
    import numpy as np

    from autograder.sandbox import proxy
    from autograder.sandbox.isolation import Limits

    limits = Limits.from_env()
    proxy.GradingWorker(submission, limits).close()

    def starts():
        for _ in range(runs):
            worker = proxy.GradingWorker(submission, limits)
            worker.start()
            worker.close()

    start = measure(starts, runs)
    target = proxy.sandbox_target(submission)
    try:
        sigmoid = target.activations.sigmoid
        x = np.linspace(-1.0, 1.0, 8)
        sigmoid(x)
        calls = 1000
        call = measure(lambda: [sigmoid(x) for _ in range(calls)], calls)
    finally:
        target.close()

    counted = [0]
    request = proxy.GradingWorker.request

    def counting(self, *args, **kwargs):
        counted[0] += 1
        return request(self, *args, **kwargs)

    proxy.GradingWorker.request = counting
    try:
        grade_many([submission], tests=tests)
    finally:
        proxy.GradingWorker.request = request
    return start, call, counted[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20)
    args = parser.parse_args()
    tests = non_keras_tests()
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="grading-floor-") as tmp:
        copies = []
        for i in range(args.submissions + 2):
            copies.append(Path(tmp) / f"s{i}")
            shutil.copytree(ROOT / "solutions", copies[-1],
                            ignore=shutil.ignore_patterns("__pycache__"))
        rows.append(("pytest protocol only (test bodies are no-ops), in-process",
                     *session(copies, tests, isolate=False, noop=True)))
        rows.append(("full tests, in-process", *session(copies, tests, isolate=False)))
        if sandbox_available():
            rows.append(("full tests, isolated", *session(copies, tests, isolate=True)))
            start, call, calls = sandbox_parts(copies[0], tests, runs=10)
            rows.append(("  of which: one worker started and stopped", *start))
            rows.append((f"  of which: {calls} trivial sandbox round trips", call[0] * calls,
                         call[1] * calls))

    width = max(len(r[0]) for r in rows)
    print(f"grading floor: per submission, {args.submissions} submissions per session, "
          f"{cores} CPUs, Python {sys.version.split()[0]}")
    print(f"{'what'.ljust(width)}  {'wall s':>7}  {'machine CPU s':>13}  "
          f"{f'ceiling on {cores} cores':>18}")
    for what, wall, cpu in rows:
        ceiling = f"{cores / cpu:7.1f} subs/s" if not what.startswith(" ") else ""
        print(f"{what.ljust(width)}  {wall:7.3f}  {cpu:13.3f}  {ceiling:>18}")
    print()
    print(f"load average: {os.getloadavg()[0]:.1f} on {cores} CPUs (other work on the machine "
          "counts in machine CPU)")


if __name__ == "__main__":
    main()
