"""What isolation costs: the same calls and the same public suite, in-process vs in the worker.

Run from the repository root::

    python benchmarks/isolation_overhead.py [--repeat 200] [--suite-runs 3]

Prints three tables, each with its baseline measured in the same run:

1. per call: the median time of one call through the in-process directory target and through the
   sandboxed worker (a scalar call, a call with 1000-element arrays, a call that makes 50
   call-backs into the grader, the same call with the gradient as a named problem rebuilt in the
   worker), and their ratio;
2. worker start: time to start a worker and import a module, for each isolation level available;
3. the public suite: wall time of ``pytest tests/public`` with ``--target=DIR`` (in-process) and
   ``--target=sandbox:DIR``, the median of a few runs, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.problems import Problem  # noqa: E402
from autograder.sandbox import proxy  # noqa: E402
from autograder.sandbox.isolation import Limits  # noqa: E402
from autograder.targets import directory_target  # noqa: E402


def median_time(func, repeat: int) -> float:
    func()  # warm: imports, first worker start
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_call(submission: Path, repeat: int) -> list[tuple[str, float, float]]:
    local = directory_target(submission)
    remote = proxy.sandbox_target(submission)
    x = np.linspace(-1.0, 1.0, 1000)
    cases = {
        "scalar: exponential_lr(10)": lambda t: t.gradient_descent.exponential_lr(10, rate=0.1),
        "arrays: adam_step, d=1000": lambda t: t.gradient_descent.adam_step(
            x, np.zeros_like(x), np.zeros_like(x), 1, x, 0.01),
        "50 call-backs: gd(grad, 50 steps)": lambda t: t.gradient_descent.gd(
            lambda v: 2 * v, 10.0, 0.1, 50),
        "50 steps, named problem: gd(Problem, 50)": lambda t: t.gradient_descent.gd(
            Problem("scale", c=2.0), 10.0, 0.1, 50),
    }
    rows = []
    try:
        for name, call in cases.items():
            reps = repeat if "call-backs" not in name else max(10, repeat // 10)
            rows.append((name, median_time(lambda: call(local), reps),
                         median_time(lambda: call(remote), reps)))
        rows.append((f"(worker isolation: {remote.isolation})", float("nan"), float("nan")))
    finally:
        remote.close()
    return rows


def worker_starts(submission: Path) -> list[tuple[str, float]]:
    rows = []
    for level in ("bubblewrap", "unshare", "rlimits-only"):
        proxy._FAILED_LEVELS.pop(level, None)
        times = []
        for _ in range(3):
            target = proxy.sandbox_target(submission, limits=Limits.from_env(levels=(level,)))
            start = time.perf_counter()
            try:
                target.gradient_descent.constant_lr(1)
                described = target.isolation
            except Exception as exc:  # noqa: BLE001 - a level this machine lacks
                described = f"unavailable ({type(exc).__name__})"
                times = []
                break
            finally:
                target.close()
            times.append(time.perf_counter() - start)
        rows.append((described if times else f"{level}: {described}",
                     statistics.median(times) if times else float("nan")))
    return rows


def suite(submission: Path, runs: int) -> tuple[float, float]:
    def run(spec: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "tests/public", f"--target={spec}"], cwd=REPO, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start
    local, remote = [], []
    for _ in range(runs):   # interleaved, so a busy moment of the machine hits both
        local.append(run(str(submission)))
        remote.append(run(f"sandbox:{submission}"))
    return statistics.median(local), statistics.median(remote)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--suite-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        submission = Path(tmp) / "submission"
        shutil.copytree(REPO / "solutions", submission)
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
              f"python {sys.version.split()[0]}, numpy {np.__version__}\n")
        print(f"{'per call (median)':<42} {'in-process':>12} {'worker':>12} {'ratio':>8}")
        for name, local, remote in per_call(submission, args.repeat):
            if np.isnan(local):
                print(name)
                continue
            print(f"{name:<42} {local * 1e6:>10.1f}us {remote * 1e6:>10.1f}us "
                  f"{remote / local:>7.1f}x  (+{(remote - local) * 1e6:.0f}us)")
        print(f"\n{'worker start + first call (median of 3)':<72} {'time':>8}")
        for name, seconds in worker_starts(submission):
            shown = "-" if np.isnan(seconds) else f"{seconds * 1e3:.0f}ms"
            print(f"{name:<72} {shown:>8}")
        local, remote = suite(submission, args.suite_runs)
        print(f"\n{'public suite, pytest wall time (median)':<42} {'in-process':>12} {'worker':>12} {'ratio':>8}")
        print(f"{'tests/public on the reference solutions':<42} {local:>11.2f}s {remote:>11.2f}s "
              f"{remote / local:>7.2f}x  ({remote - local:+.2f}s)")


if __name__ == "__main__":
    main()
