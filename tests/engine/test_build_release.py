"""`autograder build`: what each artifact holds, and that two builds are byte-identical."""

import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.build.release import BuildError, build
from autograder.build.reproducible import Member, zip_bytes
from autograder.stubs import expected_stubs

ROOT = Path(__file__).resolve().parents[2]
#: The lab notebook producer needs otter-grader and takes seconds: only its own test runs it.
SKIP = ("notebooks",)
EPOCH = 1700000000
CHECKOUT = ("autograder", "assignments", "solutions", "tests/public", "tests/hidden",
            "tests/misconceptions", "conftest.py", "pyproject.toml", "README.md")


def copy_checkout(dest: Path) -> Path:
    """The parts of this course checkout a build reads, copied (a sandbox to break things in)."""
    for rel in CHECKOUT:
        src = ROOT / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    build(ROOT, out, epoch=EPOCH, skip=SKIP)
    return out


def names(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as z:
        return z.namelist()


def test_two_builds_are_byte_identical(built, tmp_path):
    # Another output folder, another working directory, a later clock: the same bytes.
    again = tmp_path / "elsewhere" / "dist"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "autograder.build", "--out", str(again),
                    "--source-date-epoch", str(EPOCH), "--skip", "notebooks"],
                   cwd=tmp_path, check=True, env=env, capture_output=True, timeout=120)
    for name in ("student.zip", "autograder.zip", "manifest.json",
                 "templates/instructor/.github/workflows/grade-submissions.yml"):
        assert (built / name).read_bytes() == (again / name).read_bytes(), name


def test_builds_of_two_copies_of_a_commit_are_identical(built, tmp_path):
    # Files touched at other times, in another place, with other permissions on disk.
    copy = copy_checkout(tmp_path / "checkout")
    for path in copy.rglob("*.py"):
        path.chmod(0o600)
    out = tmp_path / "out"
    build(copy, out, epoch=EPOCH, skip=SKIP)
    assert (out / "student.zip").read_bytes() == (built / "student.zip").read_bytes()
    assert (out / "autograder.zip").read_bytes() == (built / "autograder.zip").read_bytes()


def test_source_date_epoch_fixes_every_timestamp(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    build(ROOT, tmp_path, skip=SKIP)
    with zipfile.ZipFile(tmp_path / "student.zip") as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    assert json.loads((tmp_path / "manifest.json").read_text())["source_date_epoch"] == EPOCH


def test_the_default_timestamp_is_the_last_commit(monkeypatch):
    from autograder.build.reproducible import source_date_epoch
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    git = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
                         capture_output=True, text=True)
    if git.returncode != 0:
        pytest.skip("not a git checkout: the timestamp falls back to 1980-01-01")
    assert source_date_epoch(ROOT) == int(git.stdout)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    assert source_date_epoch(ROOT) == 1234567890


def test_members_are_sorted_with_fixed_modes_and_no_caches(built):
    for artifact in ("student.zip", "autograder.zip"):
        with zipfile.ZipFile(built / artifact) as z:
            infos = z.infolist()
            assert [i.filename for i in infos] == sorted(i.filename for i in infos)
            for info in infos:
                mode = info.external_attr >> 16
                expected = 0o755 if info.filename in ("setup.sh", "run_autograder") else 0o644
                assert stat.S_IMODE(mode) == expected and stat.S_ISREG(mode), info.filename
                assert "__pycache__" not in info.filename and not info.filename.endswith(".pyc")
                assert not info.filename.startswith("/") and ".." not in info.filename.split("/")
                # No path of the machine that built it, in any file.
                assert str(ROOT).encode() not in z.read(info), info.filename


def test_the_zip_writer_refuses_unclean_paths():
    for bad in ("/etc/passwd", "../x.py", "a/../../b", "pkg/__pycache__/m.cpython-311.pyc", "C:/x"):
        with pytest.raises(ValueError):
            zip_bytes([Member(bad, b"")], EPOCH)
    with pytest.raises(ValueError):
        Member("script.sh", b"", mode=0o777)


def test_student_zip_holds_exactly_the_allowlist(built):
    members = names(built / "student.zip")
    stubs = sorted(p.relative_to(ROOT).as_posix() for p in expected_stubs(ROOT))
    public = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests/public").rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts)
    assert set(stubs) <= set(members) and set(public) <= set(members)
    for required in ("README.md", "pyproject.toml", "conftest.py", ".github/workflows/classroom.yml",
                     "autograder/pytest_plugin.py", "autograder/course.toml", "autograder/checks.py",
                     "autograder/build/summary.py"):
        assert required in members
    allowed_prefixes = ("assignments/", "tests/public/", "autograder/", ".github/workflows/")
    assert all(m.startswith(allowed_prefixes) or "/" not in m for m in members), members
    for secret in ("solutions/", "tests/hidden/", "tests/misconceptions/", "tests/engine/",
                   "autograder/ground_truth/", "autograder/build/release.py", "autograder/stubs.py"):
        assert not any(m.startswith(secret) for m in members), secret


def test_student_stubs_are_the_generated_ones(built):
    with zipfile.ZipFile(built / "student.zip") as z:
        for path, text in expected_stubs(ROOT).items():
            assert z.read(path.relative_to(ROOT).as_posix()).decode() == text


def test_student_pyproject_targets_the_stubs(built):
    import tomllib
    with zipfile.ZipFile(built / "student.zip") as z:
        project = tomllib.loads(z.read("pyproject.toml").decode())
    ini = project["tool"]["pytest"]["ini_options"]
    assert ini["autograder_target"] == "assignments"
    assert project["project"]["scripts"]["autograder"] == "autograder.build.student_cli:main"
    # Built without the notebook, the release does not offer its extra.
    assert "lab" not in project["project"].get("optional-dependencies", {})
    assert ini["testpaths"] == ["tests/public"]
    deps = " ".join(project["project"]["dependencies"])
    assert "numpy" in deps and "pytest" in deps
    # sympy only where a shipped file needs it (the ground truth is never shipped).
    with zipfile.ZipFile(built / "student.zip") as z:
        uses_sympy = any(b"import sympy" in z.read(n) or b"from sympy" in z.read(n)
                         for n in z.namelist() if n.endswith(".py"))
    assert ("sympy" in deps) == uses_sympy


def test_autograder_zip_is_gradescope_shaped(built):
    members = names(built / "autograder.zip")
    assert {"setup.sh", "run_autograder", "pyproject.toml", "conftest.py",
            "autograder/cli.py" if (ROOT / "autograder/cli.py").exists() else "autograder/__init__.py",
            "autograder/pytest_plugin.py"} <= set(members)
    for tree in ("tests/hidden", "tests/misconceptions", "autograder/ground_truth"):
        on_disk = {p.relative_to(ROOT).as_posix() for p in (ROOT / tree).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts} if (ROOT / tree).is_dir() else set()
        assert on_disk <= set(members), tree
    assert not any(m.startswith(("solutions/", "assignments/", "tests/engine/")) for m in members)


def test_manifest_lists_every_member_with_its_hash(built):
    import hashlib
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["engine_version"]
    assert manifest["skipped_producers"] == list(SKIP)     # a partial release says so
    assert len(manifest["inputs"]["sha256"]) == 64 and manifest["inputs"]["files"] > 10
    for artifact in ("student.zip", "autograder.zip"):
        data = (built / artifact).read_bytes()
        entry = manifest["artifacts"][artifact]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            listed = {m["path"]: m["sha256"] for m in entry["members"]}
            assert listed == {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}


def test_inputs_hash_changes_with_the_course_text(tmp_path):
    copy = copy_checkout(tmp_path / "checkout")
    build(copy, tmp_path / "a", epoch=EPOCH, skip=SKIP)
    test_file = copy / "tests/public/test_gradient_descent.py"
    test_file.write_text(test_file.read_text() + "\n# a comment\n")
    build(copy, tmp_path / "b", epoch=EPOCH, skip=SKIP)
    first, second = (json.loads((tmp_path / d / "manifest.json").read_text()) for d in "ab")
    assert first["inputs"]["sha256"] != second["inputs"]["sha256"]


def test_drifted_stubs_stop_the_build_until_rebuilt_with_stubs(tmp_path):
    copy = copy_checkout(tmp_path / "checkout")
    stub = copy / "assignments/gradient_descent.py"
    stub.write_text(stub.read_text() + "\nSTALE = 1\n")
    with pytest.raises(BuildError, match="assignments/gradient_descent.py differ"):
        build(copy, tmp_path / "out", epoch=EPOCH, skip=SKIP)
    assert not (tmp_path / "out").exists()
    report = build(copy, tmp_path / "out", write_stubs=True, epoch=EPOCH, skip=SKIP)
    assert report.rewritten_stubs == ["assignments/gradient_descent.py"]
    assert "STALE" not in stub.read_text()
    assert {p: t for p, t in expected_stubs(copy).items()} == \
        {p: p.read_text() for p in expected_stubs(copy)}


def test_solution_markers_stay_out_of_the_stubs(tmp_path):
    copy = copy_checkout(tmp_path / "checkout")
    solution = copy / "solutions/gradient_descent.py"
    solution.write_text(solution.read_text() + "\n# BEGIN SOLUTION\nANSWER_TABLE = [0.6, 0.36]\n# END SOLUTION\n")
    build(copy, tmp_path / "out", write_stubs=True, epoch=EPOCH, skip=SKIP)
    with zipfile.ZipFile(tmp_path / "out/student.zip") as z:
        assert b"ANSWER_TABLE" not in z.read("assignments/gradient_descent.py")


def test_cli_writes_the_artifacts_and_reports_refusals(tmp_path):
    copy = copy_checkout(tmp_path / "checkout")
    ok = subprocess.run([sys.executable, "-m", "autograder.build", "--root", str(copy),
                         "--out", str(tmp_path / "dist"), "--skip", "notebooks"], cwd=ROOT, capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "student.zip" in ok.stdout and (tmp_path / "dist/autograder.zip").is_file()
    (copy / "tests/public/leaky.py").write_bytes((copy / "solutions/gradient_descent.py").read_bytes())
    refused = subprocess.run([sys.executable, "-m", "autograder.build", "--root", str(copy),
                              "--out", str(tmp_path / "dist2"), "--skip", "notebooks"], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
    assert refused.returncode == 2
    assert "tests/public/leaky.py" in refused.stderr and "solutions/gradient_descent.py" in refused.stderr


def test_the_lab_notebook_ships_built_reproducibly_and_without_answers(tmp_path):
    from autograder.course import load_course
    notebooks = [ex.notebook for ex in load_course().exercises if getattr(ex, "notebook", "")]
    if not notebooks:
        pytest.skip("this course has no notebook exercise")
    pytest.importorskip("otter", reason="building the lab notebook needs otter-grader: pip install '.[lab]'")
    build(ROOT, tmp_path / "a", epoch=EPOCH)
    build(ROOT, tmp_path / "b", epoch=EPOCH)
    assert (tmp_path / "a/student.zip").read_bytes() == (tmp_path / "b/student.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a/student.zip") as z:
        for notebook in notebooks:
            shipped = z.read(notebook)
            assert shipped != (ROOT / notebook).read_bytes()
            assert b"BEGIN SOLUTION" not in shipped and b"ASSIGNMENT CONFIG" not in shipped
        # The student can install what the notebook needs, and the README says how.
        import tomllib
        project = tomllib.loads(z.read("pyproject.toml").decode())
        lab = project["project"]["optional-dependencies"]["lab"]
        readme = z.read("README.md").decode()
        assert 'pip install -e ".[lab]"' in readme
        # ... and open it: the README's "open it in JupyterLab" command comes with that extra
        assert any(re.match(r"jupyterlab\b", dep) for dep in lab), lab
        for notebook in notebooks:
            assert f"\njupyter lab {notebook}\n" in readme
    assert json.loads((tmp_path / "a/manifest.json").read_text())["skipped_producers"] == []
