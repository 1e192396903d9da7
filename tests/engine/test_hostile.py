"""Hostile submissions must score exactly what an honest failure scores, and nothing else may move.

Each file in ``hostile/`` is an attack on the module ``gradient_descent`` of the reference
solutions: its code is appended to the module (so it replaces the functions it defines), and its
first line says which functions it attacks (``# attacked: gd, sgd``, or ``*`` for the whole
module). The submission it builds is graded with the sandboxed target in a pytest subprocess, on
the public tests and, when present, the hidden ones. The score it must get comes from the *same*
submission with the attacked functions replaced by ``raise NotImplementedError`` (the honest
failure), graded the same way; every test that does not touch them must still pass.
"""

from __future__ import annotations

import ast
import concurrent.futures
import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOSTILE = Path(__file__).parent / "hostile"
MODULE = "gradient_descent"
CASES = sorted(p.stem for p in HOSTILE.glob("*.py"))
# Small budgets so the spinning cases cost seconds, with room for a busy machine: a timeout in an
# honest call would make the test flaky, never lenient (scores are compared exactly). The
# submission's budget holds 16 calls of gd timing out (32 s) and about 300 honest calls, which took
# over 8 s on a machine running six times as many processes as it has cores.
#: On the command line of a process a case leaves behind on purpose (with the case's results path).
LINGERER_MARK = "AUTOGRADER-LINGERER"
ENV = {"AUTOGRADER_SANDBOX_CALL_TIMEOUT": "2", "AUTOGRADER_SANDBOX_IMPORT_TIMEOUT": "5",
       "AUTOGRADER_SANDBOX_SUBMISSION_TIMEOUT": "60", "AUTOGRADER_SANDBOX_CPU_SECONDS": "10"}


def parse_case(name: str) -> tuple[tuple[str, ...], str | None, str]:
    """(attacked functions, with the module first; a symlink target or None; the code)."""
    text = (HOSTILE / f"{name}.py").read_text()
    module = MODULE
    for line in text.splitlines():
        if line.startswith("# module:"):
            module = line.split(":", 1)[1].strip()
    first = text.splitlines()[0]
    assert first.startswith("# attacked:"), f"{name}: first line must be '# attacked: ...'"
    attacked = (module, *sorted(x.strip() for x in first.split(":", 1)[1].split(",")))
    symlink = None
    for line in text.splitlines():
        if line.startswith("# symlink:"):
            symlink = line.split(":", 1)[1].strip().replace("{REPO}", str(REPO))
    return attacked, symlink, text


def module_functions(module: str) -> list[str]:
    tree = ast.parse((REPO / "solutions" / f"{module}.py").read_text())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]


def build(dest: Path, appended: str | None = None, symlink: str | None = None,
          module_name: str = MODULE) -> Path:
    dest.mkdir(parents=True)
    for path in (REPO / "solutions").glob("*.py"):
        shutil.copyfile(path, dest / path.name)
    module = dest / f"{module_name}.py"
    if symlink:
        module.unlink()
        module.symlink_to(symlink)
    elif appended:
        module.write_text(module.read_text() + "\n\n" + appended + "\n")
    return dest


def honest_failure(attacked: tuple[str, ...]) -> str:
    module, *names = attacked
    names = module_functions(module) if names == ["*"] else names
    return "\n".join(f"def {name}(*args, **kwargs):\n    raise NotImplementedError\n"
                     for name in names)


def needs(name: str) -> str:
    """What a case needs beyond rlimits (``# needs: ...``), or ""."""
    for line in (HOSTILE / f"{name}.py").read_text().splitlines():
        if line.startswith("# needs:"):
            return line.split(":", 1)[1].strip()
    return ""


#: The corpus runs at the strongest level this machine has, and again at the unshare level (the
#: fallback where bubblewrap is missing, whose file system is a deny-list).
#: ``pipelined``: the strongest level with calls sent ahead (autograder/sandbox/pipeline.py), as
#: predicted by the reference's calls recorded on the same tests: every attack must still score
#: exactly its honest failure.
PREDICTIONS = "{recorded from the reference}"
LEVELS = {"strongest": {}, "unshare": {"AUTOGRADER_SANDBOX_LEVELS": "unshare"},
          "pipelined": {"AUTOGRADER_CALL_PREDICTIONS": PREDICTIONS}}


@functools.lru_cache(maxsize=None)
def isolation_level(levels: str = "strongest") -> str:
    """The level the sandbox uses here (the hostile suite cannot run without one)."""
    from autograder.sandbox.isolation import LEVELS as ALL, Limits, namespaces_work
    from autograder.sandbox.proxy import SandboxUnavailable, sandbox_target
    only = LEVELS[levels].get("AUTOGRADER_SANDBOX_LEVELS")
    probe = sandbox_target(REPO / "solutions",
                           limits=Limits.from_env(**({"levels": (only,)} if only else {})))
    try:
        return probe.isolation
    except SandboxUnavailable as exc:
        if any(namespaces_work(level) for level in ([only] if only else ALL[:2])):
            raise   # the machine can make the namespaces: our worker is what fails
        pytest.skip(f"no sandbox at the {levels} level on this machine: {exc}")
    finally:
        probe.close()


#: Cases marked ``# measured:`` (replies a worker writes itself, to make the grader decode too
#: much) are graded each alone in a fresh process, to measure the grader's own peak memory.
MEASURED = [name for name in CASES if "\n# measured:" in (HOSTILE / f"{name}.py").read_text()]


def record_predictions(out: Path) -> None:
    """The calls the reference makes on the suites :func:`grade_all` runs, for ``pipelined``."""
    tests = [str(REPO / "tests" / "public")]
    tests += [str(p) for p in sorted((REPO / "tests" / "hidden").glob("test_*.py"))
              if p.name != "test_keras_lab.py"]
    proc = subprocess.run([sys.executable, "-m", "autograder.sandbox.pipeline", str(out), *tests,
                           "--solutions", str(REPO / "solutions")], cwd=REPO,
                          env={**os.environ, **ENV}, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and out.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    assert " 0 calls" not in proc.stdout, proc.stdout


#: Calls each grade_all process confirmed ahead (see autograder/sandbox/pipeline.py).
GRADE_ALL_AHEAD: list[int] = []


def grade_all(jobs: list[tuple[str, Path]], env: dict) -> int:
    """Grade submissions one after another in one Python process (pytest starts only once).

    Returns that process's peak RSS in KiB (RUSAGE_SELF: the grader, not its workers), which
    measures one submission when ``jobs`` holds only one.
    """
    suites = [str(REPO / "tests" / "public")]
    if (REPO / "tests" / "hidden").is_dir():
        suites.append(str(REPO / "tests" / "hidden"))
    # These attacks are modules; the notebook attacks are graded in tests/lab/test_lab_grading.py.
    suites.append(f"--ignore={REPO / 'tests' / 'hidden' / 'test_keras_lab.py'}")
    runs = [(["-q", "-p", "no:cacheprovider", *suites, f"--target={spec}",
              f"--results-json={results}"], str(results)) for spec, results in jobs]
    # The moment a grading ends, the processes its submission left (named by a marker and the
    # results file on their command lines) are listed beside its results; at the end, the
    # process's peak memory.
    script = ("import json, os, resource, sys, pytest\n"
              "def lingering(results):\n"
              "    found = []\n"
              "    for pid in filter(str.isdigit, os.listdir('/proc')):\n"
              "        if int(pid) == os.getpid():\n"
              "            continue\n"
              "        try:\n"
              "            with open(f'/proc/{pid}/cmdline', 'rb') as f:\n"
              "                line = f.read()\n"
              "        except OSError:\n"
              "            continue\n"
              f"        if {LINGERER_MARK!r}.encode() in line and results.encode() in line:\n"
              "            found.append(int(pid))\n"
              "    return found\n"
              "for args, results in json.loads(sys.argv[1]):\n"
              "    pytest.main(args)\n"
              "    with open(results + '.lingering', 'w') as f:\n"
              "        json.dump(lingering(results), f)\n"
              "print('PEAK-RSS-KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
              "from autograder.sandbox import pipeline\n"
              "print('CONFIRMED-AHEAD', pipeline.COUNTS['confirmed'])\n")
    # The timeout only guards against a hang: on a machine shared with other work a batch of
    # spinning cases has taken over 300 s.
    proc = subprocess.run([sys.executable, "-c", script, json.dumps(runs)], cwd=REPO,
                          env={**os.environ, **ENV, **env}, capture_output=True, text=True,
                          timeout=900)
    for _, results in jobs:
        assert results.exists(), f"no {results.name}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
    peaks = [line.split()[1] for line in proc.stdout.splitlines()
             if line.startswith("PEAK-RSS-KIB")]
    assert peaks, proc.stdout[-3000:] + proc.stderr[-3000:]
    GRADE_ALL_AHEAD.extend(int(line.split()[1]) for line in proc.stdout.splitlines()
                           if line.startswith("CONFIRMED-AHEAD"))
    return int(peaks[0])


def lingering(results: Path) -> list[int]:
    """The processes the submission graded into ``results`` left running when its grading ended."""
    return json.loads(Path(f"{results}.lingering").read_text())


def scores(results: dict) -> dict[str, float]:
    return {t["nodeid"]: t["score"] for t in results["tests"]}


@pytest.fixture(scope="session", params=list(LEVELS))
def hostile_results(request, tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """Grade every attack and every honest-failure baseline, a few at a time."""
    root = tmp_path_factory.mktemp(f"hostile-{request.param}")
    jobs: dict[str, tuple[Path, Path]] = {}
    baselines: dict[tuple[str, ...], str] = {}
    level = isolation_level(request.param)
    for name in CASES:
        if needs(name) and level.startswith("rlimits-only"):
            continue   # never even run it: kill(-1) without a pid namespace would end this run
        attacked, symlink, text = parse_case(name)
        results = root / f"{name}.results.json"
        code = text.replace("{REPO}", str(REPO)).replace("{RESULTS}", str(results))
        jobs[name] = ("sandbox:" + str(build(root / name, None if symlink else code, symlink,
                                              attacked[0])), results)
        if attacked not in baselines:
            key = "baseline-" + "-".join(a.replace("*", "all") for a in attacked)
            baselines[attacked] = key
            jobs[key] = ("sandbox:" + str(build(root / key, honest_failure(attacked),
                                                module_name=attacked[0])),
                         root / f"{key}.results.json")
    reference = build(root / "reference")
    jobs["reference"] = (f"sandbox:{reference}", root / "reference.results.json")
    jobs["in-process"] = (str(reference), root / "in-process.results.json")
    # The measured attacks and their baseline each get a process of their own (listed first:
    # they are many short runs); the rest share three, the slow cases dealt out over them.
    alone = [k for k in (*MEASURED, baselines.get((MODULE, "gd"))) if k in jobs]
    slow = ("slow_import", "spin_forever", "catch_timeout_signals")
    keys = [k for k in slow if k in jobs] + sorted(k for k in jobs if k not in (*slow, *alone))
    batches = [[jobs[k]] for k in alone] + [[jobs[k] for k in keys[i::3]] for i in range(3)]
    env = dict(LEVELS[request.param])
    if env.get("AUTOGRADER_CALL_PREDICTIONS") == PREDICTIONS:
        env["AUTOGRADER_CALL_PREDICTIONS"] = str(root / "predictions.json")
        record_predictions(root / "predictions.json")
    GRADE_ALL_AHEAD.clear()
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        peaks = list(pool.map(grade_all, batches, [env] * len(batches)))
    ahead = sum(GRADE_ALL_AHEAD)
    graded = {key: json.loads(results.read_text()) for key, (_, results) in jobs.items()}
    out = {name: (graded[name], graded[baselines[parse_case(name)[0]]], graded["reference"])
           for name in CASES if name in graded}
    out["in-process"] = (graded["in-process"], graded["reference"], graded["reference"])
    out["level"] = level
    out["lingering"] = {key: lingering(results) for key, (_, results) in jobs.items()}
    out["peak-rss-kib"] = dict(zip(alone, peaks))
    out["gd-baseline"] = baselines.get((MODULE, "gd"))
    out["pipelined"] = "AUTOGRADER_CALL_PREDICTIONS" in env
    out["confirmed-ahead"] = ahead
    return out


def test_sandbox_grades_the_reference_exactly_like_in_process(hostile_results):
    in_process, sandboxed, _ = hostile_results["in-process"]
    assert in_process["isolation"] == "none" and sandboxed["isolation"] != "none"
    assert [(t["nodeid"], t["status"], t["score"]) for t in sandboxed["tests"]] == \
        [(t["nodeid"], t["status"], t["score"]) for t in in_process["tests"]]
    assert sandboxed["score"] == sandboxed["max_score"] > 0


def test_the_pipelined_level_really_sends_calls_ahead(hostile_results):
    """Otherwise it would prove nothing: predictions whose test names never matched."""
    if hostile_results["pipelined"]:
        assert hostile_results["confirmed-ahead"] > 1000
    else:
        assert hostile_results["confirmed-ahead"] == 0


def test_no_process_a_submission_started_outlives_its_grading(hostile_results):
    # outlive_in_new_session.py leaves the worker's session and process group (a double fork and
    # setsid), then would forge the results: it must be dead the moment its grading ends.
    assert "outlive_in_new_session" in hostile_results["lingering"]
    left = {key: pids for key, pids in hostile_results["lingering"].items() if pids}
    assert not left, f"still running after grading at {hostile_results['level']}: {left}"


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES)
def test_attack_scores_exactly_an_honest_failure(case, hostile_results):
    if case not in hostile_results:
        pytest.skip(f"{case} needs {needs(case)}, which {hostile_results['level']} does not give")
    attacked, honest, reference = hostile_results[case]
    assert reference["score"] == reference["max_score"] > 0, "the reference must score 100%"
    assert attacked["isolation"] == honest["isolation"] == hostile_results["level"]
    assert scores(attacked) == scores(honest), (
        f"{case}: {attacked['score']} points, an honest failure gets {honest['score']}\n"
        + "\n".join(f"{t['nodeid']}: {t['status']} {t['score']} "
                    f"{(t['feedback'] or {}).get('rationale', '')[:200]}" for t in attacked["tests"]))
    # The honest failure loses points only where the attack is, and everything else still passes.
    lost = {k for k, v in scores(honest).items() if v < scores(reference)[k]}
    assert lost, f"{case}: the attack touches no test"
    assert attacked["score"] < reference["score"]
    assert not (REPO / "results.json").exists()



# ------------------------------------------- attacks on the protocol: the grader's own resources


def test_the_measured_corpus_covers_every_amplification():
    assert {"reply_of_empty_lists", "reply_nested_deeply", "reply_huge_integer",
            "reply_bare_nan", "reply_never_ends", "reply_array_aliases"} <= set(MEASURED)
    assert all(parse_case(name)[0] == (MODULE, "gd") for name in MEASURED), \
        "a measured attack is compared with the honest failure of gd"


@pytest.mark.parametrize("case", MEASURED)
def test_a_hostile_reply_costs_the_grader_little_memory_and_stays_in_budget(case, hostile_results):
    attacked, honest, _ = hostile_results[case]
    peaks = hostile_results["peak-rss-kib"]
    peak, honest_peak = peaks[case], peaks[hostile_results["gd-baseline"]]
    assert peak < 2 * honest_peak, (
        f"{case}: the grader peaked at {peak / 1024:.0f} MiB, grading an honest failure at "
        f"{honest_peak / 1024:.0f} MiB")
    budget = float(ENV["AUTOGRADER_SANDBOX_SUBMISSION_TIMEOUT"])
    assert attacked["execution_time"] <= budget, (
        f"{case}: grading took {attacked['execution_time']:.1f} s, the budget is {budget:g} s")
