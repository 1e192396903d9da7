"""The Gradescope release, rehearsed as Gradescope runs it, at two isolation levels.

``autograder.zip`` is built and unpacked into a temporary root laid out like Gradescope's
``/autograder`` (``source/``, ``submission/``, ``submission_metadata.json``, ``results/``);
``setup.sh`` runs in its offline form (``AUTOGRADER_PYTHON``: an interpreter that already has the
dependencies, nothing downloaded), then ``run_autograder`` grades a set of submissions: the
bundled example, the reference solutions, the stubs, a zip left inside the upload, a syntax
error, an empty upload, a hostile one and (with ``AUTOGRADER_REHEARSE_LAB=1``: ~40 s of
TensorFlow) the lab notebook alone. Every ``results.json`` is
checked against Gradescope's specification (the schema in ``schemas/``), and beyond what a schema
can say: unique names, scores within their maxima, the total, the maximum, and a top-level output
that gives nothing of the hidden tests away.

Levels: the strongest this machine has, and "no namespaces" (``AUTOGRADER_SANDBOX_LEVELS=
rlimits-only``: a container where bubblewrap and unshare both refuse), which needs an interpreter
whose installation the worker's uid can reach; where none is found that level is skipped, saying so.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from autograder.build.release import build
from autograder.stubs import expected_stubs

jsonschema = pytest.importorskip("jsonschema")

REPO = Path(__file__).resolve().parents[2]
SCHEMA = Path(__file__).parent / "schemas" / "gradescope-results.schema.json"
SKIP = ("notebooks",)         # the lab's notebook producer (otter-grader) has its own test
MARK = "AUTOGRADER-REHEARSAL-LINGERER"
#: What a submission's exit code says: 0 graded, 2 not graded (never hidden by run_autograder).
GRADED, NOT_GRADED = 0, 2


# ----------------------------------------------------------------------------- the submissions

def reference() -> dict[str, str]:
    return {p.name: p.read_text() for p in (REPO / "solutions").glob("*.py") if p.name != "__init__.py"}


def stubs() -> dict[str, str]:
    return {p.name: t for p, t in expected_stubs(REPO).items() if p.name != "__init__.py"}


def zipped(files: dict[str, str], folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in sorted(files.items()):
            z.writestr(f"{folder}/{name}", text)
    return buffer.getvalue()


def hostile(root: Path) -> dict[str, str]:
    """Stubs, but for two attacks (as ``tests/engine/hostile/`` attacks, scored against honest
    failures): ``gd`` leaves a process in a session of its own that would forge results.json
    after grading; ``second_order`` is the reference's only if it can read the students'
    metadata (so its points measure whether it could)."""
    files = stubs()
    forged = json.dumps({"score": 999, "output": "forged", "tests": []})
    lingerer = (f"import time\ntime.sleep(1.5)\n"
                f"try:\n    open({str(root / 'results' / 'results.json')!r}, 'w').write({forged!r})\n"
                f"except OSError:\n    pass\ntime.sleep(600)\n# {MARK} {root}\n")
    files["gradient_descent.py"] += textwrap.dedent(f'''

        import os as _os, sys as _sys
        _STARTED = []
        def gd(grad, x0, eta, num_steps):
            if not _STARTED:
                _STARTED.append(1)
                if _os.fork() == 0:
                    _os.setsid()
                    if _os.fork() == 0:
                        _os.execv(_sys.executable, [_sys.executable, "-S", "-c", {lingerer!r}])
                    _os._exit(0)
            raise NotImplementedError
    ''')
    files["second_order.py"] = textwrap.dedent(f'''
        try:
            with open({str(root / "submission_metadata.json")!r}) as _f:
                _f.read()
        except OSError:
            pass
        else:
    ''') + textwrap.indent(reference()["second_order.py"].replace(
        "from __future__ import annotations", ""), "    ")
    return files


#: The lab notebook alone costs ~40 s of TensorFlow (one epoch): rehearsed when this is set.
WITH_LAB = os.environ.get("AUTOGRADER_REHEARSE_LAB") == "1"


def submissions(root: Path) -> dict[str, dict[str, str | bytes]]:
    with_syntax_error = reference()
    with_syntax_error["dropout.py"] = "def dropout(x, p:\n    return x\n"
    lab = {"keras_lab.ipynb": (REPO / "lab" / "keras_lab.ipynb").read_text()} if WITH_LAB else None
    return {
        "example": {p.name: p.read_text() for p in (REPO / "examples" / "submission").glob("*.py")},
        "reference": reference(),
        "stubs": stubs(),
        "zip-in-upload": {"work.zip": zipped(reference(), "my-work")},
        **({"notebook-only": lab} if lab else {}),
        "syntax-error": with_syntax_error,
        "empty": {},
        "hostile": hostile(root),
    }


#: At the level without namespaces, what tells it apart (the lab's TensorFlow worker has its own
#: sandbox and costs seconds: it is rehearsed once, at the strongest level).
AT_LEVEL = {"strongest": None, "no-namespaces": ("reference", "stubs", "empty", "hostile")}
LEVEL_ENV = {"strongest": {}, "no-namespaces": {"AUTOGRADER_SANDBOX_LEVELS": "rlimits-only"}}


# ----------------------------------------------------------------------------- running them

def reachable_python(tmp: Path) -> str | None:
    """An interpreter with this one's packages whose installation every uid can reach: this one,
    or a virtual environment of the system's Python of the same version that sees this one's
    site-packages (a worker at the rlimits-only level runs as another uid with nothing exposed
    for it). None when there is none."""
    from autograder.sandbox.isolation import _closed_to_others

    def reachable(python: str) -> bool:
        out = subprocess.run([python, "-c", "import sys, numpy, sympy, mpmath; print(sys.base_prefix);"
                              "print(numpy.__file__); print(sympy.__file__); print(mpmath.__file__)"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            return False
        paths = [os.path.realpath(python)] + [str(Path(p).parent) for p in out.stdout.split()[1:]]
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        paths.append(os.path.join(out.stdout.split()[0], "lib", version))
        return all(_closed_to_others(p) is None for p in paths)

    if os.geteuid() != 0 or reachable(sys.executable):
        return sys.executable
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = f"/usr/bin/{version}"
    if not os.path.exists(system):
        return None
    venv = tmp / "reachable-venv"
    made = subprocess.run([system, "-m", "venv", "--without-pip", str(venv)], capture_output=True)
    if made.returncode != 0:
        return None
    site = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    ours = [p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)]
    ours.append(sysconfig.get_paths()["purelib"])
    Path(site, "zz_rehearsal.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n")
    python = str(venv / "bin" / "python")
    return python if reachable(python) else None


def lingering(root: Path) -> list[int]:
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                line = f.read()
        except OSError:
            continue
        if MARK.encode() in line and str(root).encode() in line:
            pids.append(int(pid))
    return pids


def unpack_release(tmp: Path, root: Path) -> None:
    build(REPO, tmp / "dist", epoch=1700000000, skip=SKIP)
    with zipfile.ZipFile(tmp / "dist" / "autograder.zip") as z:
        z.extractall(root / "source")
        for info in z.infolist():    # zipfile does not restore the mode bits; Gradescope does
            (root / "source" / info.filename).chmod((info.external_attr >> 16) & 0o777)


def run_one(root: Path, env: dict, files: dict[str, str | bytes]) -> dict:
    """One submission graded as Gradescope does; its results, exit code, log and leftovers."""
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    for name, content in files.items():
        path = submission / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    metadata = root / "submission_metadata.json"
    metadata.write_text(json.dumps({"id": 1, "users": [{"email": "s1@example.com", "sid": "s1"}],
                                    "previous_submissions": []}))
    metadata.chmod(0o644)            # as Gradescope leaves it: every uid could read it
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    started = time.monotonic()
    proc = subprocess.run([str(root / "run_autograder")], env=env, cwd=root, capture_output=True,
                          text=True, timeout=300)
    return {"code": proc.returncode, "log": proc.stdout + proc.stderr,
            "lingering": lingering(root), "seconds": time.monotonic() - started,
            "results": json.loads((root / "results" / "results.json").read_text())}


@pytest.fixture(scope="module", params=list(AT_LEVEL))
def rehearsal(request, tmp_path_factory) -> dict:
    level = request.param
    tmp = tmp_path_factory.mktemp(f"rehearsal-{level}")
    python = reachable_python(tmp) if level == "no-namespaces" else sys.executable
    if python is None:
        pytest.skip("no Python installation here is reachable by another uid, so a worker "
                    "cannot start without namespaces (issue 24's setup.sh makes one so)")
    # Like /autograder: a directory every uid may enter (pytest's own are root-only, which would
    # hide from the worker what Gradescope's layout shows it).
    root = Path(tempfile.mkdtemp(prefix="autograder-rehearsal-", dir="/var/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(root, ignore_errors=True))
    root.chmod(0o755)
    unpack_release(tmp, root)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": python,
           "AUTOGRADER_LAB_EPOCHS": "1", **LEVEL_ENV[level]}
    env.pop("AUTOGRADER_SANDBOX_HIDE", None)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env,
                           capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert (root / "source").stat().st_mode & 0o777 == 0o700
    wanted = AT_LEVEL[level]
    graded = {name: run_one(root, env, files) for name, files in submissions(root).items()
              if wanted is None or name in wanted}
    return {"level": level, "root": root, "graded": graded}


def test_every_results_file_follows_gradescopes_specification(rehearsal):
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    for name, run in rehearsal["graded"].items():
        data = run["results"]
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (name, errors)
        assert data["tests"], (name, run["log"][-2000:])
        names = [t["name"] for t in data["tests"]]
        assert len(set(names)) == len(names), (name, [n for n in names if names.count(n) > 1])
        for t in data["tests"]:
            assert 0 <= t["score"] <= t["max_score"], (name, t["name"])
            assert t["visibility"] in ("visible", "after_due_date", "hidden")
        assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))


def test_the_visible_output_gives_nothing_of_the_hidden_tests_away(rehearsal):
    for name, run in rehearsal["graded"].items():
        tests = run["results"]["tests"]
        visible = [t for t in tests if t["visibility"] == "visible"]
        assert len(visible) < len(tests), "the rehearsal has hidden tests to keep back"
        first = run["results"]["output"].splitlines()[0]
        assert first == (f"Visible tests: {sum(t['score'] for t in visible):g} / "
                         f"{sum(t['max_score'] for t in visible):g}"), (name, first)


def test_the_maximum_is_the_assignments_whatever_was_handed_in(rehearsal):
    graded = rehearsal["graded"]
    maximum = sum(t["max_score"] for t in graded["reference"]["results"]["tests"])
    for name, run in graded.items():
        assert sum(t["max_score"] for t in run["results"]["tests"]) == maximum, name


def test_a_notebook_alone_is_held_to_the_same_maximum(rehearsal):
    graded = rehearsal["graded"]
    if "notebook-only" not in graded:
        pytest.skip("the lab notebook alone is rehearsed with AUTOGRADER_REHEARSE_LAB=1, at the "
                    "strongest level")
    maximum = sum(t["max_score"] for t in graded["reference"]["results"]["tests"])
    assert sum(t["max_score"] for t in graded["notebook-only"]["results"]["tests"]) == maximum


def test_scores_and_exit_codes(rehearsal):
    graded = rehearsal["graded"]
    full = graded["reference"]["results"]
    # The reference modules: every point but the lab's, whose notebook is not in this upload.
    lab = [t for t in full["tests"] if "keras_lab.ipynb is missing" in t.get("output", "")]
    assert lab and full["score"] == sum(t["max_score"] for t in full["tests"] if t not in lab) > 0
    assert graded["stubs"]["results"]["score"] == 0
    for name in ("reference", "stubs", "hostile", "example", "zip-in-upload", "syntax-error"):
        if name in graded:
            assert graded[name]["code"] == GRADED, (name, graded[name]["log"][-2000:])
    # Nothing to grade: a score of 0 that says why, and an exit code that is not hidden.
    empty = graded["empty"]
    assert empty["code"] == NOT_GRADED and "exited with code 2" in empty["log"]
    assert empty["results"]["score"] == 0 and "No course module" in empty["results"]["output"]
    if "notebook-only" in graded:   # the lab is graded; the modules score 0, saying why
        assert graded["notebook-only"]["code"] == GRADED
    if "zip-in-upload" in graded:
        assert graded["zip-in-upload"]["results"]["score"] == full["score"]
    if "syntax-error" in graded:
        lost = {t["tags"][0] for t in graded["syntax-error"]["results"]["tests"]
                if t["score"] < t["max_score"] and t not in lab}
        assert lost == {"dropout"}
    if "example" in graded:
        assert 0 < graded["example"]["results"]["score"] < full["score"]


def test_a_hostile_submission_scores_an_honest_failure_and_leaves_nothing_behind(rehearsal):
    graded = rehearsal["graded"]
    attack = graded["hostile"]
    # The process it left in a session of its own was dead before results.json was written,
    # so the file is the grader's: the stubs' zero on everything, second_order included (it could
    # not read the students' metadata, at any level).
    assert attack["lingering"] == [], f"still running after run_autograder: {attack['lingering']}"
    time.sleep(2)          # past the moment the lingerer would have forged the file
    results = json.loads((rehearsal["root"] / "results" / "results.json").read_text())
    assert results["score"] == 0 and "forged" not in results["output"]
    assert attack["results"]["score"] == 0, [
        (t["name"], t["score"]) for t in attack["results"]["tests"] if t["score"]]
    assert (rehearsal["root"] / "submission_metadata.json").stat().st_mode & 0o077 == 0
