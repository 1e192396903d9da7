"""Round trips, worker starts and CPU per submission, this tree against another, interleaved.

    python benchmarks/round_trips.py [--against DIR] [--submissions 20] [--pairs 3]
    python benchmarks/round_trips.py --same-results [--catalogue-limit N]

Each run is a fresh process that grades ``--submissions`` copies of ``solutions/`` in one
grading session (``grade_many``, every non-Keras test, after one untimed warm-up submission) with
the ``autograder`` of one tree, and reports per submission:

* grader CPU: this process's CPU (``getrusage``), less what the measuring itself cost;
* worker CPU: the CPU of each worker and every process under it, read from ``/proc/PID/stat``
  just before the worker is closed or killed (a worker's CPU is not in the grader's
  ``RUSAGE_CHILDREN`` until it is reaped, and under bubblewrap never: bwrap reaps it);
* round trips: the frames the grader sends and then waits on (a batch of calls sent at once is
  one), and requests by kind (import, attr, call, probe);
* worker start: the wall time the grader waited for a worker's hello (a worker launched early,
  while the grader was busy elsewhere, costs only what was left of its start), and the worker's
  CPU at its hello.

Without ``--against``, this tree is measured twice, interleaved: its calls one at a time
(``AUTOGRADER_CALL_PREDICTIONS=off``) against its calls sent ahead (the default of the grader,
which holds the hidden tests; the reference's calls recorded on the same tests). With
``--against DIR`` (a worktree of another revision, e.g. ``git worktree add /tmp/base main``)
the runs alternate between DIR and this tree, so both see the same machine load; a tree that
can send calls ahead (``autograder/sandbox/pipeline.py``) first records the reference's calls
on the same tests and grades with them, unless ``--no-predictions``. The table shows the median
of each column over the runs, and the ratio.
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
ROOT = HERE.parent


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (bubblewrap's worker is a grandchild)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def _cpu_of(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])   # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _confirmed_ahead(what: str = "confirmed") -> int:
    """Calls sent ahead and confirmed (or cancelled) so far in this process (0 where the tree
    cannot send calls ahead)."""
    try:
        from autograder.sandbox import pipeline
    except ImportError:
        return 0
    return pipeline.COUNTS[what]


def measure_here(submissions: int, source: str) -> dict:
    """Grade copies of solutions/ in this process with the tree on sys.path; return the counts."""
    from autograder.grading import grade_many
    from autograder.sandbox import proxy

    stats = {"worker_cpu": 0.0, "overhead": 0.0, "sends": 0, "starts": [], "kinds": {}}
    seen: set[int] = set()

    def record(worker) -> None:
        if worker.proc is None or worker.proc.pid in seen:
            return
        t0 = time.process_time()
        seen.add(worker.proc.pid)
        stats["worker_cpu"] += _cpu_of(_descendants(worker.proc.pid))
        stats["overhead"] += time.process_time() - t0

    originals = {name: getattr(proxy.GradingWorker, name)
                 for name in ("close", "kill", "_adopt", "_await_hello", "request")}

    def close(self):
        record(self)
        return originals["close"](self)

    def kill(self):
        record(self)
        return originals["kill"](self)

    def adopt(self, launched):
        self._bench_spawned = time.perf_counter()
        return originals["_adopt"](self, launched)

    def await_hello(self, *args):
        t0 = time.perf_counter()
        originals["_await_hello"](self, *args)
        wall = time.perf_counter() - max(t0, self._bench_spawned)
        t0 = time.process_time()
        cpu = _cpu_of(_descendants(self.proc.pid))
        stats["overhead"] += time.process_time() - t0
        stats["starts"].append((wall, cpu))

    def request(self, header, *args, **kwargs):
        kind = header.get("kind")
        stats["kinds"][kind] = stats["kinds"].get(kind, 0) + 1
        return originals["request"](self, header, *args, **kwargs)

    send = proxy._Channel.send

    def counted_send(self, frame):
        stats["sends"] += 1
        return send(self, frame)

    proxy.GradingWorker.close, proxy.GradingWorker.kill = close, kill
    proxy.GradingWorker._adopt, proxy.GradingWorker._await_hello = adopt, await_hello
    proxy.GradingWorker.request = request
    proxy._Channel.send = counted_send
    tree = Path.cwd()   # the tree measured: its tests and solutions, not this script's
    tests = tree_tests(tree)
    work = Path(tempfile.mkdtemp(prefix="round-trips-"))
    try:
        copies = []
        for i in range(submissions + 1):
            shutil.copytree(tree / source, work / f"s{i}")
            copies.append(work / f"s{i}")
        grade_many(copies[:1], tests=tests)   # warm-up: imports, caches
        for key in ("worker_cpu", "overhead", "sends"):
            stats[key] = 0
        stats["starts"], stats["kinds"] = [], {}
        seen.clear()
        confirmed0, cancelled0 = _confirmed_ahead(), _confirmed_ahead("cancelled")
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu0, wall0 = usage.ru_utime + usage.ru_stime, time.perf_counter()
        results = grade_many(copies[1:], tests=tests)
        wall = time.perf_counter() - wall0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        grader = usage.ru_utime + usage.ru_stime - cpu0 - stats["overhead"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = submissions
    ahead = (_confirmed_ahead() - confirmed0) / n
    cancelled = (_confirmed_ahead("cancelled") - cancelled0) / n
    scores = sorted({round(r.score, 6) for r in results})
    return {"grader_cpu": grader / n, "confirmed_ahead": ahead, "cancelled": cancelled, "worker_cpu": stats["worker_cpu"] / n, "wall": wall / n,
            "round_trips": stats["sends"] / n,
            "requests": {k: v / n for k, v in sorted(stats["kinds"].items())},
            "start_ms": 1000 * statistics.median(w for w, _ in stats["starts"]),
            "start_cpu_ms": 1000 * statistics.median(c for _, c in stats["starts"]),
            "starts": len(stats["starts"]) / n,
            "scores": scores}


def tree_tests(tree: Path) -> list[Path]:
    """Every public and hidden test file of ``tree`` but the Keras lab's (as grade_speed.py)."""
    return [p for folder in ("public", "hidden") for p in sorted((tree / "tests" / folder).glob(
        "test_*.py")) if not any(w in p.stem for w in ("keras", "lab"))]


def record_predictions(tree: Path, out: Path) -> bool:
    """The reference's calls on the tests, for a tree that can send calls ahead."""
    if not (tree / "autograder" / "sandbox" / "pipeline.py").exists():
        return False
    subprocess.run([sys.executable, "-m", "autograder.sandbox.pipeline", str(out),
                    *map(str, tree_tests(tree)), "--solutions", str(tree / "solutions")],
                   env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree, check=True,
                   capture_output=True)
    return True


def run_tree(tree: Path, submissions: int, predictions: Path | None, source: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # Off, unless a recording is given: a tree whose grader records by default must not.
    env["AUTOGRADER_CALL_PREDICTIONS"] = str(predictions) if predictions is not None else "off"
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure",
                          "--submissions", str(submissions), "--submission", source], env=env, cwd=tree,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def same_results(limit: int | None) -> int:
    """Grade the example submission, the reference and every entry of the misconception
    catalogue (reference plus the mistake, as tests/misconceptions/_harness.py builds them) with
    calls sent ahead (this checkout's own recording, the grader's default) and one at a time
    (``AUTOGRADER_CALL_PREDICTIONS=off``), in one session each; print a table; every report
    format must be the same byte for byte (timings zeroed). Returns the number that differ."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests" / "misconceptions"))
    import _harness
    from autograder.grading import grade_many
    from autograder.reporters import FORMATS, render
    from autograder.sandbox import pipeline

    work = Path(tempfile.mkdtemp(prefix="same-results-"))
    try:
        entries = _harness.load_catalogue(_harness.CATALOGUE)[:limit]
        jobs = [ROOT / "examples" / "submission", ROOT / "solutions"] + [
            _harness.build_submission(e, work / e.misconception) for e in entries]
        graded, counts = {}, {}
        for mode in ("ahead", "off"):
            if mode == "off":
                os.environ[pipeline.ENV] = "off"
            else:
                os.environ.pop(pipeline.ENV, None)
            before = dict(pipeline.COUNTS)
            graded[mode] = grade_many(jobs)
            counts[mode] = {k: pipeline.COUNTS[k] - before[k] for k in before}
        os.environ.pop(pipeline.ENV, None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    differ = [(job.name, fmt) for job, a, b in zip(jobs, graded["ahead"], graded["off"])
              for fmt in FORMATS if render(a, fmt, timings=False) != render(b, fmt, timings=False)]
    print(f"{len(jobs)} submissions (example, reference, {len(entries)} catalogue entries), "
          f"{len(FORMATS)} formats each: {len(jobs) * len(FORMATS) - len(differ)} reports the "
          f"same, {len(differ)} differ {differ[:10]}")
    print(f"{'':14}{'calls ahead':>14}{'one at a time':>15}")
    for key in ("sent", "confirmed", "cancelled"):
        print(f"{key:14}{counts['ahead'][key]:>14}{counts['off'][key]:>15}")
    return len(differ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="a worktree of the baseline revision")
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--submission", default="solutions",
                        help="the folder graded, relative to each tree (examples/submission: a "
                             "student's, with wrong answers that the predictions do not match)")
    parser.add_argument("--no-predictions", action="store_true",
                        help="do not record and use the reference's calls (no calls sent ahead)")
    parser.add_argument("--same-results", action="store_true",
                        help="check instead: the example, the reference and the misconception "
                             "catalogue graded with and without calls ahead give the same reports")
    parser.add_argument("--catalogue-limit", type=int, default=None,
                        help="with --same-results: the first N catalogue entries only")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.same_results:
        sys.exit(1 if same_results(args.catalogue_limit) else 0)
    if args.measure:
        print(json.dumps(measure_here(args.submissions, args.submission)))
        return
    if args.against:
        trees = {"baseline": args.against.resolve(), "this tree": ROOT}
        ahead = {name: not args.no_predictions for name in trees}
    else:   # this tree, its calls one at a time against its calls sent ahead
        trees = {"one at a time": ROOT, "calls ahead": ROOT}
        ahead = {"one at a time": False, "calls ahead": True}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    work = Path(tempfile.mkdtemp(prefix="round-trips-predictions-"))
    try:
        predictions = {name: work / f"{i}.json" if ahead[name] and
                       record_predictions(tree, work / f"{i}.json") else None
                       for i, (name, tree) in enumerate(trees.items())}
        for _ in range(args.pairs):
            for name, tree in trees.items():
                runs[name].append(run_tree(tree, args.submissions, predictions[name],
                                           args.submission))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    columns = [("grader CPU ms", "grader_cpu", 1000), ("worker CPU ms", "worker_cpu", 1000),
               ("total CPU ms", None, 1000), ("wall ms", "wall", 1000),
               ("round trips", "round_trips", 1), ("calls sent ahead", "confirmed_ahead", 1),
               ("worker starts", "starts", 1),
               ("start wait ms", "start_ms", 1), ("start CPU ms", "start_cpu_ms", 1)]

    def value(run: dict, key: str | None) -> float:
        return run["grader_cpu"] + run["worker_cpu"] if key is None else run[key]

    print(f"per submission, median of {args.pairs} runs of {args.submissions} submissions "
          f"({args.submission}/, every non-Keras test, one grading session)")
    print(f"{'':16}" + "".join(f"{name:>14}" for name in trees)
          + ("       ratio" if len(trees) == 2 else ""))
    medians = {}
    for label, key, scale in columns:
        row = [statistics.median(value(r, key) for r in runs[name]) * scale for name in trees]
        medians[label] = row
        ratio = f"{row[0] / row[1]:>11.2f}x" if len(row) == 2 and row[1] else ""
        print(f"{label:16}" + "".join(f"{v:>14.1f}" for v in row) + ratio)
    for name in trees:
        print(f"requests ({name}): {runs[name][-1]['requests']}; scores {runs[name][-1]['scores']}; "
              f"calls cancelled {runs[name][-1].get('cancelled', 0):.1f}")


if __name__ == "__main__":
    main()
