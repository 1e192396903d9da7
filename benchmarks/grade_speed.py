"""How long ``autograder grade`` takes on one submission, against ``otter run`` in the same run.

    python benchmarks/grade_speed.py [--runs 5] [--no-otter]

Rows (each the median wall time of ``--runs`` runs, after one untimed warm-up):

* ``autograder grade`` as a fresh process (what CI pays per submission), on a submission of every
  non-Keras exercise (a copy of ``solutions/``, so every check runs to the end), isolated through
  the sandbox and with ``--no-isolation``: the difference is the isolation overhead;
* ``grade()`` called again in a warm process (a fresh pytest session, tests collected again);
* ``grade_many()``: one pytest session grading several submissions, per submission (what
  ``grade-all``'s workers pay: tests collected once, the next worker started ahead);
* the like-for-like comparison with otter-grader: the gradient-descent public tests, as otter
  OK-format tests in ``benchmarks/otter_equivalent/tests`` (same calls, values and points), with
  the same code submitted as a notebook, graded by ``otter run`` and by ``autograder grade``.

It also checks that grading never imports sympy (ground truth is derived ahead of time).
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
sys.path.insert(0, str(ROOT))

from autograder.grading import grade, grade_many, sandbox_available  # noqa: E402

OTTER_TESTS = ROOT / "benchmarks" / "otter_equivalent" / "tests"
GD_PUBLIC = ROOT / "tests" / "public" / "test_gradient_descent.py"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def non_keras_tests() -> list[Path]:
    """Every public and hidden test file except the Keras lab's (a separate, slow grader)."""
    files = []
    for folder in (ROOT / "tests" / "public", ROOT / "tests" / "hidden"):
        files += sorted(p for p in folder.glob("test_*.py")
                        if not any(w in p.stem for w in ("keras", "lab")))
    return files


CPU_SECONDS: dict[int, float] = {}   # id(fn) -> median CPU seconds of its child processes


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_time(fn, runs: int) -> tuple[float, object]:
    """Median wall seconds of ``fn()``; the median CPU seconds its child processes used go to
    CPU_SECONDS (wall time on a shared machine includes waiting for a core; CPU time does not)."""
    result = fn()  # warm-up: file-system caches, .pyc files
    times, cpu = [], []
    for _ in range(runs):
        cpu0 = _children_cpu()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - cpu0)
    CPU_SECONDS[id(fn)] = statistics.median(cpu)
    return statistics.median(times), result


def cli(submission: Path, tests: list[Path], *extra: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        args = [sys.executable, "-m", "autograder", "grade", str(submission), "--format", "json",
                "--output", str(out), *extra]
        for t in tests:
            args += ["--tests", str(t)]
        proc = subprocess.run(args, cwd=tmp, env=ENV, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"autograder grade failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return json.loads(out.read_text())


def notebook_of(source: Path, dest: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source.read_text())]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, dest)
    return dest


def otter_command() -> list[str] | None:
    exe = shutil.which("otter") or str(Path(sys.executable).with_name("otter"))
    return [exe] if Path(exe).exists() else None


def otter_setup(work: Path) -> Path:
    """Build the otter autograder zip from the OK-format tests (untimed, done once)."""
    shutil.copytree(OTTER_TESTS, work / "tests")
    (work / "otter_config.json").write_text("{}")
    proc = subprocess.run([*otter_command(), "generate", "--no-requirements", "--no-environment",
                           "-o", "autograder.zip"], cwd=work, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"otter generate failed: {proc.stderr[-1500:]}")
    return work / "autograder.zip"


def otter_run(work: Path, zip_path: Path, submission: Path) -> float:
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    proc = subprocess.run([*otter_command(), "run", "-a", str(zip_path), "-o", str(out),
                           "--no-logo", str(submission)], cwd=work, capture_output=True, text=True)
    results = out / "results.json"
    if proc.returncode != 0 or not results.exists():
        raise RuntimeError(f"otter run failed ({proc.returncode}): {proc.stderr[-1500:]}")
    data = json.loads(results.read_text())
    # otter writes Gradescope's format; the total is the sum of the per-test scores.
    return data.get("score", sum(t.get("score") or 0 for t in data["tests"]))


def sympy_imported_while_grading(submission: Path) -> bool:
    code = ("import sys; from autograder.grading import grade; "
            f"grade({str(submission)!r}, isolate=False); print('sympy' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, capture_output=True,
                          text=True)
    return proc.stdout.strip().endswith("True")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-otter", action="store_true")
    args = parser.parse_args()

    rows: list[tuple[str, float, str]] = []
    tests = non_keras_tests()
    with tempfile.TemporaryDirectory(prefix="grade-speed-") as tmp:
        tmp = Path(tmp)
        submission = tmp / "submission"
        shutil.copytree(ROOT / "solutions", submission,
                        ignore=shutil.ignore_patterns("__pycache__"))
        isolation = "sandbox" if sandbox_available() else "none: sandbox not installed"

        iso = lambda: cli(submission, tests)  # noqa: E731
        noiso = lambda: cli(submission, tests, "--no-isolation")  # noqa: E731
        t_iso, r_iso = median_time(iso, args.runs)
        t_noiso, r_noiso = median_time(noiso, args.runs)
        n = len(r_iso["tests"])
        rows.append((f"autograder grade, fresh process, isolated ({r_iso['isolation']})", t_iso,
                     f"{r_iso['score']:g}/{r_iso['max_score']:g} points, {n} tests; "
                     f"CPU {CPU_SECONDS[id(iso)]:.3f} s"))
        rows.append(("autograder grade, fresh process, --no-isolation", t_noiso,
                     f"{r_noiso['score']:g}/{r_noiso['max_score']:g} points; "
                     f"CPU {CPU_SECONDS[id(noiso)]:.3f} s"))
        example = ROOT / "examples" / "submission"
        ex = lambda: cli(example, tests)  # noqa: E731
        t_ex, r_ex = median_time(ex, args.runs)
        rows.append(("autograder grade, fresh process, isolated: examples/submission", t_ex,
                     f"{r_ex['score']:g}/{r_ex['max_score']:g} points (imports no sympy); "
                     f"CPU {CPU_SECONDS[id(ex)]:.3f} s"))
        t_warm_iso, warm_iso = median_time(lambda: grade(submission, tests=tests), args.runs)
        t_warm, warm = median_time(lambda: grade(submission, tests=tests, isolate=False), args.runs)
        rows.append(("grade() again in a warm process, isolated", t_warm_iso,
                     f"{warm_iso.score:g}/{warm_iso.max_score:g} points"))
        rows.append(("grade() again in a warm process, not isolated", t_warm,
                     f"{warm.score:g}/{warm.max_score:g} points"))
        per = 8   # submissions per session: the first one pays for collecting the tests
        t_sess_iso, sess_iso = median_time(
            lambda: grade_many([submission] * per, tests=tests), args.runs)
        t_sess, sess = median_time(
            lambda: grade_many([submission] * per, tests=tests, isolate=False), args.runs)
        t_sess_iso, t_sess = t_sess_iso / per, t_sess / per
        rows.append((f"grade_many(): one session, {per} submissions, isolated, per submission",
                     t_sess_iso, f"{sess_iso[-1].score:g}/{sess_iso[-1].max_score:g} points; "
                     "tests collected once, next worker started ahead"))
        rows.append((f"grade_many(): one session, {per} submissions, not isolated, per submission",
                     t_sess, f"{sess[-1].score:g}/{sess[-1].max_score:g} points"))
        t_sub, sub = median_time(
            lambda: grade(submission, tests=tests, isolate=False, runner="subprocess"), args.runs)
        rows.append(("grade(runner='subprocess'): pytest in a child process, not isolated", t_sub,
                     f"{sub.score:g}/{sub.max_score:g} points (the in-process runner is the default)"))

        notebook = notebook_of(ROOT / "solutions" / "gradient_descent.py", tmp / "submission.ipynb")
        ours = lambda: cli(notebook, [GD_PUBLIC])  # noqa: E731
        t_ours_gd, r_gd = median_time(ours, args.runs)
        rows.append(("gradient-descent checks, notebook: autograder grade (isolated)", t_ours_gd,
                     f"{r_gd['score']:g}/{r_gd['max_score']:g} points; "
                     f"CPU {CPU_SECONDS[id(ours)]:.3f} s"))
        otter_note = ""
        t_otter = None
        if args.no_otter:
            otter_note = "otter run: skipped (--no-otter)"
        elif otter_command() is None:
            otter_note = ("otter run: not measured, otter-grader is not installed "
                          "(pip install -e '.[bench]')")
        else:
            work = tmp / "otter"
            work.mkdir()
            try:
                zip_path = otter_setup(work)
                theirs = lambda: otter_run(work, zip_path, notebook)  # noqa: E731
                t_otter, score = median_time(theirs, args.runs)
                rows.append(("gradient-descent checks, notebook: otter run (baseline)", t_otter,
                             f"{score:g}/13 points; CPU {CPU_SECONDS[id(theirs)]:.3f} s"))
            except RuntimeError as exc:
                otter_note = f"otter run: could not run here: {exc}"
        # Students may use sympy in their symmetry code (their worker process then imports it);
        # the grader must not, and neither do the reference solutions (counted in-process here).
        sympy = sympy_imported_while_grading(example) or sympy_imported_while_grading(submission)

    width = max(len(r[0]) for r in rows)
    print(f"grade speed: median of {args.runs} runs, {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}, isolation available: {isolation}")
    print(f"{'what'.ljust(width)}  {'wall s':>8}  result")
    for what, seconds, note in rows:
        print(f"{what.ljust(width)}  {seconds:8.3f}  {note}")
    print()
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(wall times on a shared machine include waiting for a core)")
    print(f"isolation overhead (fresh process): {t_iso - t_noiso:+.3f} s "
          f"({t_iso / t_noiso:.2f}x); warm: {t_warm_iso - t_warm:+.3f} s; "
          f"in a session: {t_sess_iso - t_sess:+.3f} s ({t_sess_iso / t_sess:.2f}x)")
    target = "meets" if t_iso < 0.5 else "MISSES"
    print(f"target < 0.5 s per isolated submission (fresh process): {target} ({t_iso:.3f} s); "
          f"in a grading session: {'meets' if t_sess_iso < 0.5 else 'MISSES'} ({t_sess_iso:.3f} s)")
    if t_otter is not None:
        ratio = t_otter / t_ours_gd
        verdict = "meets" if ratio >= 10 else "MISSES"
        print(f"otter run / autograder grade on the same checks: {ratio:.1f}x "
              f"(target >= 10x: {verdict})")
    if otter_note:
        print(otter_note)
    print(f"sympy imported by the grader (grading examples/submission and solutions, in-process): "
          f"{'YES (fix this)' if sympy else 'no'}")


if __name__ == "__main__":
    main()
