"""Throughput of ``autograder grade-all`` on a generated class, against ``otter run`` in a loop.

    python benchmarks/batch_throughput.py [--submissions 200] [--otter-runs 5] [--no-otter] [--dask]

The class mixes correct submissions (60%), partly wrong ones (a known mistake in one exercise,
25%) and hostile ones (15%: exit at import, patching numpy, lying return values, fake output,
and exactly one infinite loop). Every submission covers all the non-Keras exercises and is
graded isolated, on the public and hidden tests, into fresh gradebooks: with -j 1 and -j 2 (and,
with ``--dask``, local Dask clusters of one and two workers), and with -j 2 (and Dask local:2)
again on the same class with the spinning submission replaced by another hostile one. Each row
prints the CPU per submission, grader, batch workers and sandboxed workers together, read from
/proc (:class:`TreeCPU`): the rusage of reaped children misses every sandbox killed before it
was waited for (0.39 s of CPU per submission in one run of -j 1 here).

The spinning submission's own cost is measured apart (it graded alone against the submission
that replaces it): a 10 s timeout on its first call, then 2 s on each later test of the same
function, while its worker burns a core. It holds one slot for that long whatever the rest of
the class costs, so the rate without it is the one to read against a throughput target; a table
of submissions/s against cores follows (1 and 2 measured, 16 projected from the CPU per
submission).

otter-grader grades a notebook holding the same code against the gradient-descent checks only
(the otter-format equivalent that benchmarks/grade_speed.py builds): it does less work per
submission than we do, so its rate is an upper bound for an equivalent otter setup.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# A light top: Dask's local workers are started by spawning a fresh interpreter that runs this
# script's top again; the grading modules are imported where they are used.
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


#: Where the spinning submission is in the class: the first hostile one.
SPINNER_INDEX = 17


def make_class(directory: Path, n: int, spinner: bool = True,
               only: int | None = None) -> dict[str, int]:
    """``n`` submissions under ``directory``; ``spinner=False`` gives the spinning one another
    hostile change instead (the same class otherwise, to read the spinner's cost); ``only``
    writes that one submission of the class and no other."""
    kinds = {"correct": 0, "wrong": 0, "hostile": 0}
    solutions = sorted(p for p in (ROOT / "solutions").glob("*.py") if p.name != "__init__.py")
    for i in range(n):
        sub = directory / f"student{i:03d}"
        slot = i % 20
        if only is None or i == only:
            sub.mkdir(parents=True)
            for p in solutions:
                shutil.copy(p, sub / p.name)
        else:
            sub = None
        if slot < 12:
            kinds["correct"] += 1
        elif slot < 17:
            if sub is not None:
                module, good, bad = MISTAKES[i % len(MISTAKES)]
                f = sub / f"{module}.py"
                f.write_text(f.read_text().replace(good, bad))
            kinds["wrong"] += 1
        else:
            # Exactly one spinning submission in the class (the first hostile one): it costs a
            # call timeout, then the shorter repeat timeout for each later test of that function.
            spinning = HOSTILE[4]
            others = [h for h in HOSTILE if h is not spinning]
            first = kinds["hostile"] == 0
            module, code = (spinning if first and spinner
                            else others[(i - 1 if first else i) % len(others)])
            if sub is not None:
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


def _graded(classroom: Path, db: Path, **how) -> tuple[float, float, object]:
    """Wall and CPU seconds (this process and every one below it: :class:`TreeCPU`) of one
    grade-all, and its summary."""
    from autograder.batch.runner import grade_all

    tree, start = TreeCPU(), time.perf_counter()
    summary = grade_all(classroom, db_path=db, isolate=True, **how)
    return time.perf_counter() - start, tree.stop(), summary


class TreeCPU:
    """CPU seconds of this process and of every process below it, sampled from /proc.

    The rusage of reaped children misses a process killed before its parent could wait for it:
    a sandbox killed at a call timeout (the spinning submission's worker, spinning a core until
    then) dies with its namespace's init, and its CPU never reaches this process's accounts.
    Here every descendant seen is remembered with the last CPU it showed, sampled every 50 ms
    (a process that lives less than that is missed, on both sides of a comparison); the
    sampling thread's own CPU is left out.
    """

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, interval: float = 0.05) -> None:
        self._last: dict[tuple[int, int], int] = {}    # (pid, start time) -> CPU ticks seen
        self._stop = threading.Event()
        self._sampling_s = 0.0
        self._start_self = resource.getrusage(resource.RUSAGE_SELF)
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self._sample()
        self._sampling_s = time.thread_time()    # its own cost, not the grader's

    def _sample(self) -> None:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    text = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = text[text.rindex(")") + 2:].split()   # after "pid (comm) "
                stats[int(entry)] = (int(fields[1]), int(fields[19]), int(fields[11]) + int(fields[12]))
        below, frontier = set(), {os.getpid()}
        while frontier:
            frontier = {pid for pid, (ppid, _, _) in stats.items() if ppid in frontier} - below
            below |= frontier
        for pid in below:
            _, started, ticks = stats[pid]
            self._last[pid, started] = ticks

    def stop(self) -> float:
        """The CPU seconds since this was made: this process's own and its descendants'."""
        self._sample()
        self._stop.set()
        self._thread.join()
        own = resource.getrusage(resource.RUSAGE_SELF)
        own_s = (own.ru_utime + own.ru_stime) - (self._start_self.ru_utime + self._start_self.ru_stime)
        return own_s - self._sampling_s + sum(self._last.values()) / self.TICK


def spinner_cost(tmp: Path, n: int) -> tuple[float, float]:
    """Wall and CPU seconds that the spinning submission costs beyond the one that replaces it
    in the class without it: each graded alone (-j 1) twice, alternately; the medians of the
    differences."""
    classes = {}
    for spinning in (True, False):
        classes[spinning] = tmp / f"alone-{spinning}"
        make_class(classes[spinning], max(n, SPINNER_INDEX + 1), spinner=spinning,
                   only=SPINNER_INDEX)
    rows: dict[bool, list] = {True: [], False: []}
    for k in range(2):
        for spinning in (True, False):
            wall, cpu, _ = _graded(classes[spinning], tmp / f"alone-{spinning}-{k}.sqlite", jobs=1)
            rows[spinning].append((wall, cpu))
    wall = statistics.median(a[0] - b[0] for a, b in zip(rows[True], rows[False]))
    cpu = statistics.median(a[1] - b[1] for a, b in zip(rows[True], rows[False]))
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--otter-runs", type=int, default=5)
    parser.add_argument("--no-otter", action="store_true")
    parser.add_argument("--dask", action="store_true",
                        help="also grade with --scheduler local:1 and local:2 (needs distributed)")
    args = parser.parse_args()
    n = args.submissions
    # (label, grade_all's arguments, the class with its spinning submission?)
    runs = [("-j 1", {"jobs": 1}, True), ("-j 2", {"jobs": 2}, True),
            ("-j 2", {"jobs": 2}, False)]
    if args.dask:
        runs += [("Dask local:1", {"scheduler": "local:1"}, True),
                 ("Dask local:2", {"scheduler": "local:2"}, True),
                 ("Dask local:2", {"scheduler": "local:2"}, False)]
    measured = {}
    with tempfile.TemporaryDirectory() as tmp:
        classes = {spinning: Path(tmp) / f"class-{spinning}" for spinning in (True, False)}
        kinds = make_class(classes[True], n)
        make_class(classes[False], n, spinner=False)
        for i, (label, how, spinning) in enumerate(runs):
            wall, cpu, summary = _graded(classes[spinning], Path(tmp) / f"run{i}.sqlite", **how)
            measured[label, spinning] = (n / wall, wall, cpu / n, summary.graded, summary.errors)
        spin_wall, spin_cpu = spinner_cost(Path(tmp), n)
    rows = [(f"grade-all {label}" + ("" if spinning else ", spinner out"), *measured[label, spinning])
            for label, _, spinning in runs]
    if not args.no_otter:
        rate, note = otter_rate(args.otter_runs)
        rows.append(("otter run, looped (" + note + ")", rate,
                     args.otter_runs / rate if rate == rate else float("nan"), float("nan"), 0, 0))
    print(f"class: {kinds}, one of the hostile ones spinning; sandbox available: "
          f"{sandbox_available()}; graded isolated into fresh gradebooks")
    print(f"{'what':44} {'subs/s':>7} {'wall s':>7} {'CPU ms/sub':>11} {'graded':>7} {'errors':>7}")
    for what, rate, wall, cpu, graded, errors in rows:
        print(f"{what:44} {rate:7.2f} {wall:7.1f} {cpu * 1000:11.0f} {graded:7} {errors:7}")
    print("(CPU ms/sub: this process and every process below it, read from /proc, sandboxes "
          "killed before they\n were reaped included: their rusage never reaches this process)")
    print(f"\nthe spinning submission alone, against the one replacing it (-j 1, median of 2): "
          f"{spin_wall:.1f} s of wall, {spin_cpu:.1f} s of CPU more\n  (a 10 s first-call timeout, "
          f"then 2 s for each later test of keep_probability, while its worker spins a core).")
    print("  With -j 2 it holds one of the two slots for that long: the class's wall is at least "
          "that,\n  however fast the rest; the 'spinner out' rows are the rate of the rest.")
    print(f"scaling -j 2 / -j 1: {measured['-j 2', True][0] / measured['-j 1', True][0]:.2f}x")
    if args.dask:
        for spinning in (True, False):
            print(f"Dask local:2 / -j 2{'' if spinning else ', spinner out'}: "
                  f"{measured['Dask local:2', spinning][0] / measured['-j 2', spinning][0]:.2f}x")
    # 1 and 2 cores: measured on the whole class. 16: a projection, not a measurement: cores
    # kept busy, each spending the CPU per submission measured on 2 cores without the spinner
    # (whose timeouts are wall time that no number of cores shortens).
    kinds_run = ["-j"] + (["Dask local:"] if args.dask else [])
    print("\nsubmissions/s against cores (1 and 2 measured, with the spinner; 16 projected: "
          "16 / CPU per submission\nof the 2-core run without the spinner, which then adds "
          f"its own {spin_wall:.0f} s of wall to one core)")
    print(f"{'cores':>5} " + " ".join(f"{k.strip(':') + ' N':>14}" for k in kinds_run))
    for cores in (1, 2):
        cells = [measured[("-j " if k == "-j" else k) + str(cores), True][0] for k in kinds_run]
        print(f"{cores:5} " + " ".join(f"{c:14.2f}" for c in cells))
    cells = [16 / measured[("-j " if k == "-j" else k) + "2", False][2] for k in kinds_run]
    print(f"{16:5} " + " ".join(f"{c:14.1f}" for c in cells))
    otter = [row for row in rows if row[0].startswith("otter")]
    if otter and otter[0][1] == otter[0][1]:
        print(f"grade-all -j 2 / otter loop: {measured['-j 2', True][0] / otter[0][1]:.1f}x")


if __name__ == "__main__":
    main()
