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
   ``--target=sandbox:DIR``, the median of a few runs, and the ratio;
4. the reply budget (:class:`autograder.sandbox.protocol.Budget`): the same round trips through
   one worker with every budget check on, and with only the frame's size bounded (as before the
   budget), interleaved in one run; and what refusing a hostile reply costs;
5. with ``--against REF`` (a git revision, e.g. ``main``): reading and decoding the same replies
   through a pipe with REF's ``protocol.py`` and with this tree's, interleaved in one run.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
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
from autograder.sandbox import protocol as P  # noqa: E402
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


def budget_checks(submission: Path, repeat: int) -> list[tuple[str, float, float]]:
    """(call, median with the size-only budget, median with the full budget) per round trip."""
    remote = proxy.sandbox_target(submission)
    x = np.linspace(-1.0, 1.0, 1000)
    cases = {
        "scalar: exponential_lr(10)": lambda: remote.gradient_descent.exponential_lr(10, rate=0.1),
        "arrays: adam_step, d=1000": lambda: remote.gradient_descent.adam_step(
            x, np.zeros_like(x), np.zeros_like(x), 1, x, 0.01),
        "50 call-backs: gd(grad, 50 steps)": lambda: remote.gradient_descent.gd(
            lambda v: 2 * v, 10.0, 0.1, 50),
    }
    real = proxy.reply_budget
    checked = {True: real,
               False: lambda limits, inputs: P.Budget.frame_only(limits.max_frame_bytes)}
    rows = []
    try:
        for name, call in cases.items():
            call()
            times: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(repeat):   # interleaved, so a busy moment of the machine hits both
                for on in (False, True):
                    proxy.reply_budget = checked[on]
                    start = time.perf_counter()
                    call()
                    times[on].append(time.perf_counter() - start)
            rows.append((name, statistics.median(times[False]), statistics.median(times[True])))
    finally:
        proxy.reply_budget = real
        remote.close()
    return rows


def refusals(repeat: int) -> list[tuple[str, float]]:
    """What the grader spends on a reply before refusing it (reading from memory, no worker)."""
    def frame(body: bytes) -> bytes:
        return P._HEAD.pack(P.MAGIC, len(body), 0) + body
    def honest(value) -> bytes:
        return P.encode_message({"kind": "result", "id": 7, "output": ""},
                                {"value": value, "generators": {}})
    cases = {
        "honest reply, a tuple of 3 arrays (accepted)": honest((np.zeros(3),) * 3),
        "honest reply, a list of 1000 floats (accepted)": honest([0.5] * 1000),
        "3 MiB of [[],[],...] (refused)": frame(b'{"value":[' + b"[]," * 2**20 + b"[]]}"),
        "3 MiB of [[[...]]] (refused)": frame(b"[" * 3 * 2**19 + b"]" * 3 * 2**19),
        "32 MiB announced (refused unread)": P._HEAD.pack(P.MAGIC, 32 * 2**20, 0),
    }
    rows = []
    for name, data in cases.items():
        def read():
            try:
                P.FrameReader(io.BytesIO(data).read, budget=P.Budget()).read_frame()
            except P.ProtocolError:
                pass
        rows.append((name, median_time(read, repeat if len(data) < 2**20 else 5)))
    return rows


def readers_against(ref: str, repeat: int) -> list[tuple[str, float, float]]:
    """(reply, median with REF's protocol.py, median with this tree's) to read and decode it."""
    source = subprocess.run(["git", "show", f"{ref}:autograder/sandbox/protocol.py"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "protocol_at_ref.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location("protocol_at_ref", path)
        old = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = old   # dataclasses look their module up
        spec.loader.exec_module(old)
    x = np.linspace(-1.0, 1.0, 1000)
    replies = {"a float": 0.5, "3 arrays, d=1000": (x, x, x), "a list of 100 floats": [0.5] * 100}
    rows = []
    for name, value in replies.items():
        medians = []
        for module, kwargs in ((old, {}), (P, {"budget": P.Budget()})):
            data = module.encode_message({"kind": "result", "id": 3, "output": ""},
                                         {"value": value, "generators": {}})
            r, w = os.pipe()
            try:
                reader = module.FrameReader(lambda n, r=r: os.read(r, n), **kwargs)
                times = []
                for _ in range(repeat * 10):
                    os.write(w, data)
                    start = time.perf_counter()
                    header, arrays = reader.read_frame()
                    module.Decoder(arrays).decode(header["value"])
                    times.append(time.perf_counter() - start)
            finally:
                os.close(r)
                os.close(w)
            medians.append(statistics.median(times))
        rows.append((name, *medians))
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
    parser.add_argument("--against", metavar="REF",
                        help="also time reading replies with protocol.py at this git revision")
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
        print(f"\n{'reply budget, per round trip (median)':<42} {'size only':>12} "
              f"{'budget':>12} {'ratio':>8}")
        for name, off, on in budget_checks(submission, args.repeat):
            print(f"{name:<42} {off * 1e6:>10.1f}us {on * 1e6:>10.1f}us {on / off:>7.2f}x  "
                  f"({(on - off) * 1e6:+.1f}us)")
        print(f"\n{'reading one reply within the budget (median)':<60} {'time':>10}")
        for name, seconds in refusals(args.repeat):
            print(f"{name:<60} {seconds * 1e6:>8.1f}us")
        if args.against:
            print(f"\n{'read + decode one reply, through a pipe':<42} {args.against:>12} "
                  f"{'this tree':>12} {'ratio':>8}")
            for name, before, now in readers_against(args.against, args.repeat):
                print(f"{name:<42} {before * 1e6:>10.1f}us {now * 1e6:>10.1f}us "
                      f"{now / before:>7.2f}x  ({(now - before) * 1e6:+.1f}us)")
        local, remote = suite(submission, args.suite_runs)
        print(f"\n{'public suite, pytest wall time (median)':<42} {'in-process':>12} {'worker':>12} {'ratio':>8}")
        print(f"{'tests/public on the reference solutions':<42} {local:>11.2f}s {remote:>11.2f}s "
              f"{remote / local:>7.2f}x  ({remote - local:+.2f}s)")


if __name__ == "__main__":
    main()
