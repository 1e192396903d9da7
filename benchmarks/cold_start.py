"""A fresh ``autograder grade``, end to end: what CI and Gradescope pay per submission.

    python benchmarks/cold_start.py [--runs 7] [--baseline DIR] [--precompile]

Each row is one command as a whole process, ``PYTHONDONTWRITEBYTECODE=1`` (as on CI and in
Gradescope's ``run_autograder``), isolated in the sandbox:

* ``examples/submission`` with the default tests (public and hidden, the Keras lab's file
  collected too);
* a copy of ``solutions/`` with the tests of every non-Keras exercise (what the issue's
  "fresh isolated grade under 0.5 s" target measures; every check runs to its end).

With ``--baseline DIR`` (another checkout, for example ``git worktree add /tmp/base 87fa896``)
the same commands run from it too, interleaved with this checkout's run by run (A B A B ...),
so a machine shared with other work slows both alike; the table gives each one's medians and the
median of the per-pair ratios. CPU is the grader's process and what it waited for (rusage of the
children); a sandboxed worker's own CPU is not in it (bubblewrap's monitor reaps it).

``--precompile`` first runs ``python -m autograder.build.bytecode`` in each checkout (what
Gradescope's ``setup.sh`` does): the engine's bytecode and pytest's rewritten test modules are
then read, not compiled, by every run. Without it a checkout with no ``__pycache__`` compiles
everything at every run (``PYTHONDONTWRITEBYTECODE`` writes nothing back); with it, both are
compared with their caches.

It also checks that both checkouts give the same score to each submission.
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

ROOT = Path(__file__).resolve().parent.parent


def non_keras_tests(root: Path) -> list[Path]:
    """Every public and hidden test file except the Keras lab's (a separate, slow grader)."""
    files = []
    for folder in (root / "tests" / "public", root / "tests" / "hidden"):
        files += sorted(p for p in folder.glob("test_*.py")
                        if not any(w in p.stem for w in ("keras", "lab")))
    return files


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def grade_once(root: Path, submission: Path, tests: list[Path], out: Path) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds, the JSON report) of one fresh ``python -m autograder grade``."""
    args = [sys.executable, "-m", "autograder", "grade", str(submission), "--format", "json",
            "--no-timings", "--output", str(out)]
    for t in tests:
        args += ["--tests", str(t)]
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    cpu = _children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"{root}: autograder grade failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, cpu, json.loads(out.read_text())


def _bytecode_state(root: Path) -> str:
    compiled = (root / "autograder" / "__pycache__").is_dir()
    rewritten = any((root / "tests" / "public" / "__pycache__").glob("*-pytest-*.pyc"))
    if compiled and rewritten:
        return "precompiled: engine bytecode and pytest's rewritten tests"
    return "engine bytecode cached" if compiled else "no bytecode cache: compiled at every run"


def precompile(root: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "autograder.build.bytecode", str(root)], cwd=root,
                   env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--precompile", action="store_true",
                        help="run autograder.build.bytecode in each checkout first")
    args = parser.parse_args()
    roots = {"this": ROOT}
    if args.baseline:
        roots["baseline"] = args.baseline.resolve()
    if args.precompile:
        for root in roots.values():
            precompile(root)

    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        tmp = Path(tmp)
        solutions = tmp / "solutions"
        shutil.copytree(ROOT / "solutions", solutions, ignore=shutil.ignore_patterns("__pycache__"))
        cases = {
            "examples/submission, default tests": lambda root: (root / "examples" / "submission", []),
            "solutions/, every non-Keras exercise": lambda root: (solutions, non_keras_tests(root)),
        }
        table = []
        for label, case in cases.items():
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in roots}
            scores: dict[str, set] = {name: set() for name in roots}
            for run in range(args.runs + 1):            # run 0: a warm-up, not counted
                for name, root in roots.items():
                    submission, tests = case(root)
                    wall, cpu, report = grade_once(root, submission, tests, tmp / f"{name}.json")
                    scores[name].add((report["score"], report["max_score"], len(report["tests"])))
                    if run:
                        times[name].append((wall, cpu))
            for name in roots:
                walls, cpus = zip(*times[name])
                (score,) = scores[name] if len(scores[name]) == 1 else (None,)
                table.append((label, name, statistics.median(walls), statistics.median(cpus), score))
            if "baseline" in roots:
                if scores["this"] != scores["baseline"]:
                    raise SystemExit(f"{label}: the scores differ: {scores}")
                ratio_wall = statistics.median(a[0] / b[0] for a, b in zip(times["this"], times["baseline"]))
                ratio_cpu = statistics.median(a[1] / b[1] for a, b in zip(times["this"], times["baseline"]))
                table.append((label, "this / baseline", ratio_wall, ratio_cpu, None))

    print(f"Fresh `autograder grade`, isolated, PYTHONDONTWRITEBYTECODE=1; median of {args.runs} "
          f"interleaved runs; {os.cpu_count()} cores")
    for name, root in roots.items():
        print(f"  {name}: {root} ({_bytecode_state(root)})")
    print(f"{'submission':40s} {'checkout':16s} {'wall s':>8s} {'CPU s':>8s}  score")
    for label, name, wall, cpu, score in table:
        shown = "" if score is None else f"{score[0]:g}/{score[1]:g}, {score[2]} tests"
        if name == "this / baseline":
            print(f"{label:40s} {name:16s} {wall:8.3f}x {cpu:7.3f}x")
        else:
            print(f"{label:40s} {name:16s} {wall:8.3f} {cpu:8.3f}  {shown}")


if __name__ == "__main__":
    main()
