"""Throughput of ``autograder grade-all`` on a generated class, against ``otter run`` in a loop.

    python benchmarks/batch_throughput.py [--submissions 200] [--otter-runs 5] [--no-otter] [--dask]

The class mixes correct submissions (60%), partly wrong ones (a known mistake in one exercise,
25%) and hostile ones (15%: exit at import, patching numpy, lying return values, fake output,
an infinite loop). Every submission covers all the non-Keras exercises and is graded isolated,
on the public and hidden tests, with -j 1 and -j 2 (and, with ``--dask``, a local Dask cluster of
two workers) into fresh gradebooks. Each row also prints the CPU seconds per submission, grader
and sandboxed workers together (this process's children, as the operating system accounts them
once they are reaped). otter-grader grades a
notebook holding the same code against the gradient-descent checks only (the otter-format
equivalent that benchmarks/grade_speed.py builds): it does less work per submission than we do,
so its rate is an upper bound for an equivalent otter setup.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from autograder.batch.runner import grade_all  # noqa: E402
from autograder.grading import sandbox_available  # noqa: E402

MISTAKES = [  # (module, correct text, wrong text): one known mistake each
    ("gradient_descent", "x = x - eta * np.asarray(grad(x)", "x = x + eta * np.asarray(grad(x)"),
    ("gradient_descent", "(1.0 - gamma) * g * g", "g * g"),
    ("gradient_descent", "v_hat = v_new / (1.0 - beta1 ** t)", "v_hat = v_new"),
    ("dropout", "1.0 - num_dropped / num_units", "num_dropped / num_units"),
]
HOSTILE = [  # (module, code appended to it)
    ("activations", "import os\nos._exit(0)\n"),
    ("gradient_descent", "import numpy\nnumpy.allclose = lambda *a, **k: True\n"),
    ("normalization", "print('===== 60 passed in 0.1s =====')\nprint('{\"score\": 100}')\n"),
    ("second_order", "def taylor_second_order(*a, **k):\n    class Liar(float):\n"
                     "        def __eq__(self, o): return True\n    return Liar(0.0)\n"),
    ("dropout", "def keep_probability(*a, **k):\n    while True:\n        pass\n"),
    ("symmetry", "import sys\nsys.exit(0)\n"),
]


def make_class(directory: Path, n: int) -> dict[str, int]:
    kinds = {"correct": 0, "wrong": 0, "hostile": 0}
    solutions = sorted(p for p in (ROOT / "solutions").glob("*.py") if p.name != "__init__.py")
    for i in range(n):
        sub = directory / f"student{i:03d}"
        sub.mkdir(parents=True)
        for p in solutions:
            shutil.copy(p, sub / p.name)
        slot = i % 20
        if slot < 12:
            kinds["correct"] += 1
        elif slot < 17:
            module, good, bad = MISTAKES[i % len(MISTAKES)]
            f = sub / f"{module}.py"
            f.write_text(f.read_text().replace(good, bad))
            kinds["wrong"] += 1
        else:
            # Exactly one spinning submission in the class (the first hostile one): it costs a
            # call timeout, then the shorter repeat timeout for each later test of that function.
            spinner = HOSTILE[4]
            others = [h for h in HOSTILE if h is not spinner]
            module, code = spinner if kinds["hostile"] == 0 else others[i % len(others)]
            f = sub / f"{module}.py"
            f.write_text(f.read_text() + "\n" + code)
            kinds["hostile"] += 1
    return kinds


def otter_rate(runs: int) -> tuple[float, str]:
    import grade_speed

    if grade_speed.otter_command() is None:
        return float("nan"), "otter-grader not installed (pip install -e '.[bench]')"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        zip_path = grade_speed.otter_setup(work)
        nb = grade_speed.notebook_of(ROOT / "solutions" / "gradient_descent.py", work / "sub.ipynb")
        grade_speed.otter_run(work, zip_path, nb)  # warm-up, untimed
        start = time.perf_counter()
        for _ in range(runs):
            grade_speed.otter_run(work, zip_path, nb)
        return runs / (time.perf_counter() - start), "gradient-descent checks only"


def _cpu_seconds() -> float:
    """User and system CPU of this process and every reaped descendant."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--otter-runs", type=int, default=5)
    parser.add_argument("--no-otter", action="store_true")
    parser.add_argument("--dask", action="store_true",
                        help="also grade with --scheduler local:2 (needs distributed)")
    args = parser.parse_args()
    rows, cpu_ms = [], []
    runs = [(f"grade-all -j {jobs} (isolated)", {"jobs": jobs}) for jobs in (1, 2)]
    if args.dask:
        runs.append(("grade-all --scheduler local:2", {"scheduler": "local:2"}))
    with tempfile.TemporaryDirectory() as tmp:
        classroom = Path(tmp) / "class"
        kinds = make_class(classroom, args.submissions)
        for i, (what, how) in enumerate(runs):
            db = Path(tmp) / f"run{i}.sqlite"
            cpu, start = _cpu_seconds(), time.perf_counter()
            summary = grade_all(classroom, db_path=db, isolate=True, **how)
            wall = time.perf_counter() - start
            per_sub_ms = (_cpu_seconds() - cpu) / args.submissions * 1000
            cpu_ms.append(per_sub_ms)
            rows.append((what, args.submissions / wall, wall,
                         f"graded {summary.graded}, errors {summary.errors}, "
                         f"{per_sub_ms:.0f} ms CPU per submission"))
    if not args.no_otter:
        rate, note = otter_rate(args.otter_runs)
        rows.append(("otter run, looped", rate, args.otter_runs / rate if rate == rate else float("nan"), note))
    print(f"class: {kinds}; sandbox available: {sandbox_available()}")
    print(f"{'what':34} {'subs/s':>8} {'wall s':>8}  note")
    for what, rate, wall, note in rows:
        print(f"{what:34} {rate:8.2f} {wall:8.1f}  {note}")
    base = rows[0][1]
    print(f"scaling -j 2 / -j 1: {rows[1][1] / base:.2f}x")
    # A projection, not a measurement: cores kept busy, each spending the CPU per submission
    # measured with -j 2 (the spinning submission's timeouts are wall time, not CPU).
    per_sub_s = cpu_ms[1] / 1000
    print("cores  subs/s (1 and 2 measured; 16 projected from the CPU per submission of -j 2)")
    print(f"{1:5}  {rows[0][1]:6.2f}\n{2:5}  {rows[1][1]:6.2f}\n{16:5}  {16 / per_sub_s:6.1f}")
    if args.dask:
        print(f"Dask local:2 / -j 2: {rows[2][1] / rows[1][1]:.2f}x")
    otter = [row for row in rows if row[0].startswith("otter")]
    if otter and otter[0][1] == otter[0][1]:
        print(f"grade-all -j 2 / otter loop: {rows[1][1] / otter[0][1]:.1f}x")


if __name__ == "__main__":
    main()
