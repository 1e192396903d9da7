"""The cost of one sandbox round trip, this tree against another, interleaved.

    python benchmarks/wire_cost.py [--against DIR] [--calls 3000] [--pairs 3]

Each run is a fresh process that starts one sandboxed worker on a copy of ``solutions/`` with the
``autograder`` of one tree and makes ``--calls`` calls of each shape below, reporting per call:

* grader CPU: this process's CPU (``getrusage``) over the calls;
* worker CPU: the CPU of the worker and every process under it (``/proc/PID/stat``);
* wall: the round trip as the test sees it.

Shapes: ``activations.sigmoid`` on 8 floats (an array out, an array back: the most common call
of the course), ``sigmoid(0.5)`` (a scalar: JSON only) and ``activations.relu_grad`` on a 50x50
array (a larger frame). With ``--against DIR`` (a worktree of
the baseline, e.g. ``git -C /work/main worktree add /tmp/base 87fa896``) runs alternate between
DIR and this tree, so both see the same load; the table shows medians over the runs and the
ratio baseline / this tree. For a whole submission's CPU, see ``round_trips.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from round_trips import _cpu_of, _descendants  # noqa: E402

SHAPES = ("array of 8", "scalar", "array of 2500")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_here(calls: int) -> dict:
    """Round trips of each shape with the tree in the current directory."""
    import numpy as np

    from autograder.sandbox import proxy

    tree = Path.cwd()
    work = Path(tempfile.mkdtemp(prefix="wire-cost-"))
    try:
        shutil.copytree(tree / "solutions", work / "s")
        target = proxy.sandbox_target(work / "s")
        try:
            sigmoid, relu = target.activations.sigmoid, target.activations.relu_grad
            small, big = np.linspace(-1.0, 1.0, 8), np.linspace(-1.0, 1.0, 2500).reshape(50, 50)
            runs = {"array of 8": lambda: sigmoid(small), "scalar": lambda: sigmoid(0.5),
                    "array of 2500": lambda: relu(big)}
            out = {}
            for shape, call in runs.items():
                for _ in range(50):   # warm-up
                    call()
                pids = _descendants(target._worker.proc.pid)
                worker0, cpu0, wall0 = _cpu_of(pids), _own_cpu(), time.perf_counter()
                for _ in range(calls):
                    call()
                wall, cpu = time.perf_counter() - wall0, _own_cpu() - cpu0
                worker = _cpu_of(pids) - worker0
                out[shape] = {"grader_us": 1e6 * cpu / calls, "worker_us": 1e6 * worker / calls,
                              "wall_us": 1e6 * wall / calls}
            return out
        finally:
            target.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_tree(tree: Path, calls: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure",
                          "--calls", str(calls)], env=env, cwd=tree, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="a worktree of the baseline revision")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_here(args.calls)))
        return
    here = HERE.parent
    trees = [("this tree", here)] + ([("baseline", args.against.resolve())] if args.against else [])
    runs: dict[str, list[dict]] = {name: [] for name, _ in trees}
    for _ in range(args.pairs):
        for name, tree in reversed(trees):
            runs[name].append(run_tree(tree, args.calls))
    print(f"one sandbox round trip, median of {args.pairs} runs of {args.calls} calls per shape, "
          f"{os.cpu_count()} CPUs (microseconds per call)")
    cols = ("grader_us", "worker_us", "wall_us")
    print(f"{'shape':<15} {'tree':<10} " + " ".join(f"{c:>10}" for c in cols)
          + f" {'grader+worker':>14}")
    for shape in SHAPES:
        medians = {}
        for name, _ in trees:
            med = {c: statistics.median(r[shape][c] for r in runs[name]) for c in cols}
            medians[name] = med
            print(f"{shape:<15} {name:<10} " + " ".join(f"{med[c]:10.1f}" for c in cols)
                  + f" {med['grader_us'] + med['worker_us']:14.1f}")
        if args.against:
            base, new = medians["baseline"], medians["this tree"]
            ratio = (base["grader_us"] + base["worker_us"]) / (new["grader_us"] + new["worker_us"])
            print(f"{shape:<15} {'ratio':<10} " + " ".join(
                f"{base[c] / new[c]:9.2f}x" for c in cols) + f" {ratio:13.2f}x")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
