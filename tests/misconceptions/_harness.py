"""Grade every catalogue entry as if a student had submitted it: the tests of the tests.

For each known mistake we build a submission = the reference solutions with that mistake's
function(s) replaced (the catalogue module's source is appended to a copy of the solution module,
so its later definitions win, and the solution's own callers pick them up too), grade it with the
real suites (``tests/public`` and ``tests/hidden`` when present) through ``--target=DIR``, and
check that

(a) it loses points,
(b) a failed test's feedback names this misconception (the diagnosis of autograder/diagnosis.py
    replays the test's calls on the catalogue: no test names a mistake itself), no failed test
    names another one, and every test that names it shows its own course.toml sentence as the
    hint, and
(c) no exercise other than its own loses points (compared with the solutions' own scores).

The correct variants (``tests/misconceptions/correct/``: right answers written differently) are
graded the same way: none may have any mistake named, and each scores what the reference scores
unless its module says why not (``LOSES_POINTS = "..."``, e.g. a check of the contract left out).

Run it as a script for the table (``python tests/misconceptions/_harness.py``, add
``--public-only`` to measure the public suite alone); the meta-test
``tests/engine/test_misconceptions.py`` asserts the same per entry.

Speed: starting Python, numpy and pytest costs more than grading one submission, so each worker
process grades a whole batch, one ``pytest.main`` per submission (each with its own session,
target and results file), and two workers run side by side.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Path(__file__).resolve().parent
CORRECT = CATALOGUE / "correct"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from autograder.course import load_course  # noqa: E402
from autograder.diagnosis import CatalogueEntry, load_catalogue  # noqa: E402

REFERENCE = "solutions"


SUITES = ["tests/public", "tests/hidden"]


def suites() -> list[str]:
    """The graded suites that exist in this checkout (hidden tests arrive on another branch)."""
    return [s for s in SUITES if (ROOT / s).is_dir()]


def reaching_tests(module: str) -> list[str]:
    """The test files that can reach ``module``: those that name it or a solution module using it.

    Tests reach the code under test only as ``target.<module>.<function>``, so a test file that
    never names the module (nor a module that imports it) cannot lose points to a mistake in
    it. Grading only these files keeps the meta-test fast without weakening check (c).
    """
    names = {module} | {p.stem for p in (ROOT / REFERENCE).glob("*.py")
                        if p.stem != module and re.search(rf"\b{module}\b", p.read_text(encoding="utf-8"))}
    files = []
    for suite in suites():
        for path in sorted((ROOT / suite).glob("test_*.py")):
            text = path.read_text(encoding="utf-8")
            if any(re.search(rf"\b{name}\b", text) for name in names):
                files.append(str(path.relative_to(ROOT)))
    return files


@dataclass(frozen=True)
class CorrectVariant:
    """A right answer written differently: module ``MODULE`` of the course, its file, and why it
    may lose points (``LOSES_POINTS``; empty: it must score what the reference scores)."""
    name: str
    module: str
    path: Path
    loses_points: str = ""


def load_correct_variants(directory: Path = CORRECT) -> list[CorrectVariant]:
    variants = []
    for path in sorted(directory.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        module = re.search(r'^MODULE = "(\w+)"', text, flags=re.M)
        if module is None:
            raise ValueError(f"{path}: a correct variant must set MODULE = '...'")
        loses = re.search(r'^LOSES_POINTS = "([^"]*)"', text, flags=re.M)
        variants.append(CorrectVariant(path.stem, module.group(1), path, loses.group(1) if loses else ""))
    return variants


def build_submission(entry: CatalogueEntry | CorrectVariant | None, dest: Path) -> Path:
    """Copy the reference modules to ``dest`` and, for ``entry``, append its definitions."""
    dest.mkdir(parents=True, exist_ok=True)
    for src in sorted((ROOT / REFERENCE).glob("*.py")):
        shutil.copy(src, dest / src.name)
    if entry is not None:
        source = entry.path.read_text(encoding="utf-8")
        # A __future__ import is only legal at the top of a module.
        source = re.sub(r"^from __future__ import .*$", "", source, flags=re.M)
        with open(dest / f"{entry.module}.py", "a", encoding="utf-8") as module:
            module.write(f"\n\n# --- {entry.path.name} (appended: these definitions win) ---\n")
            module.write(source)
    return dest


def _worker(jobs_file: str) -> None:
    """Grade each (target dir, results file) of ``jobs_file`` with one pytest session each."""
    import pytest

    jobs = json.loads(Path(jobs_file).read_text())
    os.chdir(ROOT)
    for job in jobs:
        pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--no-header",
                     "--tb=no", "-W", "ignore", *job.get("extra", []), f"--target={job['target']}",
                     f"--results-json={job['out']}", *job["suites"]])


def grade_all(submissions: dict[str, Path], workdir: Path, workers: int = 2,
              timeout: float = 600, extra: tuple[str, ...] = (),
              tests: dict[str, list[str]] | None = None) -> dict[str, dict]:
    """Results (the JSON tree of autograder.results) per submission name.

    ``extra`` adds pytest options (``-x`` when only "does it lose points?" matters); ``tests``
    names the test files to run per submission (default: every suite).
    """
    # The catalogue's wrong implementations are modules: the lab's known mistakes are notebooks,
    # graded in tests/lab/test_lab_grading.py.
    extra = (*extra, f"--ignore={ROOT / 'tests' / 'hidden' / 'test_keras_lab.py'}")
    names = sorted(submissions)
    batches = [names[i::workers] for i in range(workers)]
    paths = {name: workdir / f"results-{name}.json" for name in names}

    def run(batch: list[str]) -> str:
        jobs = [{"target": str(submissions[n]), "out": str(paths[n]),
                 "suites": (tests or {}).get(n) or suites(), "extra": list(extra)} for n in batch]
        jobs_file = workdir / f"jobs-{batch[0]}.json"
        jobs_file.write_text(json.dumps(jobs))
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", str(jobs_file)],
                              cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        return proc.stdout[-2000:] + proc.stderr[-2000:]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        logs = list(pool.map(run, [b for b in batches if b]))
    missing = [n for n in names if not paths[n].exists()]
    if missing:
        raise RuntimeError(f"no results for {missing}:\n" + "\n".join(logs))
    return {n: json.loads(paths[n].read_text()) for n in names}


def _by_exercise(results: dict) -> dict[str, tuple[float, float]]:
    totals: dict[str, list[float]] = {}
    for t in results["tests"]:
        acc = totals.setdefault(t["exercise"], [0.0, 0.0])
        acc[0] += t["score"]
        acc[1] += t["max_score"]
    return {k: (round(v[0], 6), round(v[1], 6)) for k, v in totals.items()}


@dataclass
class Verdict:
    """What grading one known mistake showed."""
    misconception: str
    exercise: str
    score: float
    max_score: float
    lost: float                                  # points lost in its own exercise
    named_by: list[str] = field(default_factory=list)     # failed tests naming it
    named_other: list[str] = field(default_factory=list)  # other misconception ids named instead
    wrong_hint: list[str] = field(default_factory=list)   # tests naming it with another hint
    collateral: dict[str, float] = field(default_factory=dict)  # other exercises' lost points

    @property
    def caught(self) -> bool:
        return self.score < self.max_score

    @property
    def named(self) -> bool:
        return bool(self.named_by)

    @property
    def ok(self) -> bool:
        return (self.caught and self.named and not self.named_other and not self.wrong_hint
                and not self.collateral)


def verdict(entry: CatalogueEntry, results: dict, baseline: dict) -> Verdict:
    course = load_course()
    exercise = course.misconceptions[entry.misconception].exercise
    mine, ref = _by_exercise(results), _by_exercise(baseline)
    failed = [t for t in results["tests"] if t["status"] in ("failed", "error")]
    named_by = [t["nodeid"] for t in failed
                if (t.get("feedback") or {}).get("misconception") == entry.misconception]
    others = sorted({(t.get("feedback") or {}).get("misconception") for t in failed} - {None, entry.misconception})
    message = course.misconceptions[entry.misconception].message
    wrong_hint = [t["nodeid"] for t in failed
                  if (t.get("feedback") or {}).get("misconception") == entry.misconception
                  and t["feedback"].get("hint") != message]
    # Compared test by test: a mistake's run grades only the files that reach its module, so an
    # exercise's total there can be a part of the reference's (tests/hidden/test_variants.py
    # spans several modules) without any test having lost a point.
    ref_scores = {t["nodeid"]: t["score"] for t in baseline["tests"]}
    collateral: dict[str, float] = {}
    for t in results["tests"]:
        lost = ref_scores.get(t["nodeid"], t["score"]) - t["score"]
        if t["exercise"] != exercise and lost > 1e-9:
            collateral[t["exercise"]] = round(collateral.get(t["exercise"], 0.0) + lost, 6)
    own = mine.get(exercise, (0.0, 0.0))
    return Verdict(entry.misconception, exercise, results["score"], results["max_score"],
                   round(ref.get(exercise, own)[0] - own[0], 6), named_by, others, wrong_hint,
                   collateral)


@dataclass
class VariantVerdict:
    """What grading one correct variant showed: points lost per test, mistakes named."""
    name: str
    loses_points: str
    lost: dict[str, float] = field(default_factory=dict)    # nodeid -> points below the reference
    named: dict[str, str] = field(default_factory=dict)     # nodeid -> misconception named

    @property
    def ok(self) -> bool:
        return not self.named and bool(self.lost) == bool(self.loses_points)


def variant_verdict(variant: CorrectVariant, results: dict, baseline: dict) -> VariantVerdict:
    ref_scores = {t["nodeid"]: t["score"] for t in baseline["tests"]}
    lost = {t["nodeid"]: round(ref_scores.get(t["nodeid"], t["score"]) - t["score"], 6)
            for t in results["tests"] if ref_scores.get(t["nodeid"], t["score"]) - t["score"] > 1e-9}
    named = {t["nodeid"]: t["feedback"]["misconception"] for t in results["tests"]
             if (t.get("feedback") or {}).get("misconception")}
    return VariantVerdict(variant.name, variant.loses_points, lost, named)


def run_catalogue(workers: int = 2, only: set[str] | None = None
                  ) -> tuple[dict[str, Verdict], dict, dict[str, VariantVerdict]]:
    """Grade the reference, every catalogue entry and every correct variant (``only``: those
    names alone); verdicts per misconception id and per variant, and the reference's results."""
    entries = [e for e in load_catalogue(CATALOGUE) if only is None or e.misconception in only]
    variants = [v for v in load_correct_variants() if only is None or v.name in only]
    with tempfile.TemporaryDirectory(prefix="misconceptions-") as tmp:
        tmp = Path(tmp)
        subs = {"_reference": build_submission(None, tmp / "_reference")}
        tests = {}
        for entry in entries:
            subs[entry.misconception] = build_submission(entry, tmp / entry.misconception)
            tests[entry.misconception] = reaching_tests(entry.module)
        for variant in variants:
            subs["correct-" + variant.name] = build_submission(variant, tmp / ("correct-" + variant.name))
            tests["correct-" + variant.name] = reaching_tests(variant.module)
        results = grade_all(subs, tmp, workers=workers, tests=tests)
    baseline = results.pop("_reference")
    return ({e.misconception: verdict(e, results[e.misconception], baseline) for e in entries},
            baseline,
            {v.name: variant_verdict(v, results["correct-" + v.name], baseline) for v in variants})


def table(verdicts: dict[str, Verdict]) -> str:
    rows = [f"{'misconception':38} {'exercise':22} {'lost':>6} {'named':>5}  notes"]
    for v in sorted(verdicts.values(), key=lambda v: (v.exercise, v.misconception)):
        notes = []
        if not v.caught:
            notes.append("NOT CAUGHT")
        elif not v.named:
            notes.append("NOT NAMED" + (f" (named {', '.join(v.named_other)})" if v.named_other else ""))
        elif v.named_other:
            notes.append(f"ALSO NAMED {', '.join(v.named_other)}")
        if v.wrong_hint:
            notes.append(f"ANOTHER HINT in {len(v.wrong_hint)} test(s)")
        if v.collateral:
            notes.append("also costs " + ", ".join(f"{k} -{p:g}" for k, p in sorted(v.collateral.items())))
        rows.append(f"{v.misconception:38} {v.exercise:22} {v.lost:6g} {'yes' if v.named else 'no':>5}  {'; '.join(notes)}")
    n = len(verdicts)
    caught = sum(v.caught for v in verdicts.values())
    named = sum(v.caught and v.named and not v.named_other and not v.wrong_hint
                for v in verdicts.values())
    clean = sum(v.ok for v in verdicts.values())
    rows.append(f"\n{n} misconceptions over suites {', '.join(suites())}: {caught} lose points, "
                f"{named} lose points and are named with their own name and hint only, "
                f"{clean} also cost no other exercise.")
    return "\n".join(rows)


def variant_table(verdicts: dict[str, VariantVerdict]) -> str:
    rows = [f"{'correct variant':38} {'lost':>6} {'named':>5}  notes"]
    for v in sorted(verdicts.values(), key=lambda v: v.name):
        notes = [f"{k} named {m}" for k, m in sorted(v.named.items())]
        if v.lost and not v.loses_points:
            notes.append("LOSES POINTS: " + ", ".join(sorted(v.lost)))
        if v.loses_points and not v.lost:
            notes.append(f"should lose points ({v.loses_points}) but does not")
        rows.append(f"{v.name:38} {sum(v.lost.values()):6g} {len(v.named):5}  {'; '.join(notes)}")
    ok = sum(v.ok for v in verdicts.values())
    unnamed = sum(not v.named for v in verdicts.values())
    rows.append(f"\n{len(verdicts)} correct variants: {unnamed} have no mistake named, {ok} also "
                "score as expected.")
    return "\n".join(rows)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        _worker(sys.argv[2])
    else:
        import time
        if "--public-only" in sys.argv:
            SUITES[:] = ["tests/public"]
        start = time.perf_counter()
        names = {a for a in sys.argv[1:] if not a.startswith("--")} or None
        verdicts, _, variants = run_catalogue(only=names)
        print(table(verdicts))
        print(variant_table(variants))
        print(f"graded {len(verdicts) + len(variants) + 1} submissions in "
              f"{time.perf_counter() - start:.1f} s")
