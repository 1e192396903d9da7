"""Time the Keras lab's grading: the reduced CPU mode (and, where a GPU is present, both modes on it),
against an earlier revision of the grader measured in the same run.

    python benchmarks/lab.py                        # reduced CPU mode; GPU rows where one is visible
    python benchmarks/lab.py --full-cpu             # also the full 250 epochs on the CPU (minutes)
    python benchmarks/lab.py --baseline 39144f2     # also the grader of that commit, interleaved

Each row grades the reference notebook (lab/keras_lab.ipynb) as a whole process,
``python -m autograder.lab grade NOTEBOOK --epochs N``: interpreter start, the sandboxed
TensorFlow worker(s), the training runs, the plots and the checks. A baseline revision is checked
out into a temporary git worktree and timed the same way, alternating with this tree's runs, so
both see the same load; the ratio is this tree's time over the baseline's.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.lab import CPU_EPOCHS, FULL_EPOCHS, gpu_present  # noqa: E402

NOTEBOOK = "lab/keras_lab.ipynb"


def grade_once(tree: Path, epochs: int, device: str) -> tuple[float, str]:
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "autograder.lab", "grade", NOTEBOOK, "--epochs", str(epochs),
                           "--device", device, "--json", str(out)],
                          cwd=tree, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - started
    try:
        data = json.loads(out.read_text())
        score = f"{data['score']:g}/{data['max_score']:g}"
        manual = [t for t in data["tests"] if t["status"] == "manual"]
        if manual:   # written questions, graded by hand: not in the score
            score += f" +{sum(t['manual_points'] for t in manual):g} by hand"
    except (OSError, ValueError, KeyError):
        score = f"error (exit {proc.returncode}): {proc.stderr.strip()[-200:]}"
    out.unlink(missing_ok=True)
    return wall, score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=FULL_EPOCHS, help="the full run (default 250)")
    parser.add_argument("--reduced", type=int, default=CPU_EPOCHS, help="the CPU mode (default %(default)s)")
    parser.add_argument("--full-cpu", action="store_true", help="also the full-epoch run on the CPU")
    parser.add_argument("--baseline", default=None, metavar="REV", help="a git revision to compare with")
    parser.add_argument("--runs", type=int, default=1, help="runs per row (median shown)")
    args = parser.parse_args(argv)

    plan = [("cpu", args.reduced)] + ([("cpu", args.epochs)] if args.full_cpu else [])
    if gpu_present():
        plan += [("gpu", args.reduced), ("gpu", args.epochs)]
    trees = {"this tree": ROOT}
    worktree = None
    if args.baseline:
        worktree = Path(tempfile.mkdtemp(prefix="lab-baseline-")) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(worktree), args.baseline],
                       cwd=ROOT, check=True)
        trees = {f"baseline {args.baseline}": worktree, **trees}
    rows = []
    try:
        for device, epochs in plan:
            walls: dict[str, list[float]] = {name: [] for name in trees}
            scores: dict[str, str] = {}
            for _ in range(args.runs):
                for name, tree in trees.items():       # interleaved: both see the same load
                    print(f"{name}: {device}, {epochs} epochs ...", file=sys.stderr, flush=True)
                    wall, scores[name] = grade_once(tree, epochs, device)
                    walls[name].append(wall)
            for name in trees:
                rows.append((name, device, epochs, statistics.median(walls[name]), scores[name]))
    finally:
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT)

    print(f"Keras lab grading, {platform.node()} ({platform.machine()}), {args.runs} run(s) a row, "
          f"GPU: {'yes' if gpu_present() else 'none (not measured on a GPU)'}")
    print(f"{'grader':24} {'device':6} {'epochs':>6} {'wall s':>8} {'x baseline':>10} {'score':>8}")
    # score: the automatic points, and the written questions' points graded by hand
    base = {(d, e): w for n, d, e, w, _ in rows if n.startswith("baseline")}
    for name, device, epochs, wall, score in rows:
        ratio = f"{wall / base[(device, epochs)]:.2f}x" if (device, epochs) in base else "-"
        print(f"{name:24} {device:6} {epochs:>6} {wall:>8.1f} {ratio:>10} {score:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
