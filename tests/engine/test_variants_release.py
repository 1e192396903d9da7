"""Variants in the releases: the salt stays out of everything a student receives (the build's
leak check covers it), Gradescope's autograder.zip carries it, and a per-student release holds
the student's variant.json and runs their public tests on their own numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import variants
from autograder.build.leaks import LeakError
from autograder.build.release import build
from autograder.build.reproducible import Member
from autograder.variants.release import SALT_MEMBER, check_salt_leaks, personal_releases, release_name

ROOT = Path(__file__).resolve().parents[2]
TEST_SALT = b"test-salt-for-variants-0123456789"     # test-only, never a course's salt
SKIP = ("notebooks",)                                # the lab notebook needs otter: not ours
EPOCH = 1700000000


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    old = {k: os.environ.pop(k, None) for k in (variants.SALT_ENV, variants.SALT_FILE_ENV)}
    os.environ[variants.SALT_ENV] = TEST_SALT.decode()
    try:
        build(ROOT, out, epoch=EPOCH, skip=SKIP)
    finally:
        for k, v in old.items():
            os.environ.pop(k, None)
            if v is not None:
                os.environ[k] = v
    return out


def test_the_student_release_has_the_variants_but_never_the_salt(built):
    members = zip_members(built / "student.zip")
    assert "autograder/variants.toml" in members and "autograder/variants/__init__.py" in members
    assert "autograder/variants/release.py" not in members         # build code stays home
    assert SALT_MEMBER not in members
    assert variants.salt_leaks(members.items(), TEST_SALT) == []
    assert TEST_SALT.decode() not in (built / "manifest.json").read_text()


def test_gradescopes_autograder_carries_the_salt_and_run_autograder_uses_it(built):
    members = zip_members(built / "autograder.zip")
    assert members[SALT_MEMBER].strip() == TEST_SALT
    assert b'AUTOGRADER_SALT_FILE="$SOURCE/variant_salt"' in members["run_autograder"]


def test_without_a_salt_the_autograder_has_none(tmp_path, monkeypatch):
    monkeypatch.delenv(variants.SALT_ENV, raising=False)
    monkeypatch.delenv(variants.SALT_FILE_ENV, raising=False)
    build(ROOT, tmp_path, epoch=EPOCH, skip=SKIP)
    assert SALT_MEMBER not in zip_members(tmp_path / "autograder.zip")


def test_the_build_refuses_a_student_release_holding_the_salt(tmp_path, monkeypatch):
    monkeypatch.setenv(variants.SALT_ENV, TEST_SALT.decode())
    monkeypatch.delenv(variants.SALT_FILE_ENV, raising=False)
    planted = {"notes": lambda ctx: [Member("NOTES.md", b"key: " + TEST_SALT.hex().encode() + b"\n")]}
    with pytest.raises(LeakError) as err:
        build(ROOT, tmp_path / "out", epoch=EPOCH, skip=SKIP, student_producers=planted)
    assert "NOTES.md contains the course salt" in str(err.value)
    assert TEST_SALT.decode() not in str(err.value) and TEST_SALT.hex() not in str(err.value)
    assert not (tmp_path / "out" / "student.zip").exists()
    check_salt_leaks([Member("ok.txt", b"nothing here")], TEST_SALT)      # and no false alarm


def test_per_student_releases_are_reproducible_and_hold_only_the_students_variant(built, tmp_path):
    students = ["s1234567", "A.Student@Example.edu"]
    first = personal_releases(built / "student.zip", students, TEST_SALT, tmp_path / "a")
    again = personal_releases(built / "student.zip", students, TEST_SALT, tmp_path / "b")
    assert [p.name for p in first.values()] == [release_name(s) for s in students]
    for student, path in first.items():
        assert path.read_bytes() == again[student].read_bytes()
        members = zip_members(path)
        base = zip_members(built / "student.zip")
        assert set(members) == set(base) | {"variant.json"}
        assert json.loads(members["variant.json"])["exercises"] == variants.variant_for(student, TEST_SALT).params
        assert variants.salt_leaks(members.items(), TEST_SALT) == []
        readme = members["README.md"].decode()
        assert readme.startswith(base["README.md"].decode().rstrip("\n")) and "## Your variant" in readme
        keep = variants.variant_for(student, TEST_SALT)["dropout"]["keep"]
        assert f"keep = {keep}" in readme


def test_a_students_public_tests_run_on_their_own_variant(built, tmp_path):
    student = "s1234567"          # dropout keep 4/5 (pinned in test_variants.py)
    path = personal_releases(built / "student.zip", [student], TEST_SALT, tmp_path)[student]
    release = tmp_path / "release"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(release)
    (release / "tests" / "public" / "test_zz_which_variant.py").write_text(
        "def test_which(variant):\n"
        f"    assert variant.source == 'variant.json' and variant.student == {student!r}\n"
        "    assert variant['dropout']['keep'] == '4/5'\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env["PYTHONPATH"] = str(release)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"--target={ROOT / 'solutions'}", "tests/public/test_variant.py",
                           "tests/public/test_zz_which_variant.py"],
                          cwd=release, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "9 passed" in proc.stdout


def test_gradescope_grades_the_student_named_in_submission_metadata(built, tmp_path):
    """run_autograder of the built autograder.zip, in a directory laid out like /autograder: the
    salt travels in the zip, the student comes from submission_metadata.json."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(built / "autograder.zip") as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():
            (root / "source" / info.filename).chmod((info.external_attr >> 16) & 0o777)
    # A submission right on the default variant only: it hard-codes keep_probability = 3/4.
    submission = root / "submission"
    submission.mkdir()
    for p in (ROOT / "solutions").glob("*.py"):
        (submission / p.name).write_text(p.read_text())
    with open(submission / "dropout.py", "a") as f:
        f.write("\n\ndef keep_probability(num_dropped, num_units):\n    return 0.75\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)

    def keep_test_score(sid):
        (root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": sid, "email": "x@y"}]}))
        proc = subprocess.run([str(root / "source" / "run_autograder")], env=env, cwd=root,
                              capture_output=True, text=True, timeout=300)
        results = json.loads((root / "results" / "results.json").read_text())
        mine = [t for t in results["tests"] if "keep probability for your number of units" in t["name"]]
        assert len(mine) == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
        return mine[0]["score"], mine[0]["max_score"], mine[0].get("output", "")

    def student_with_keep(wanted):
        return next(s for s in (f"s{i}" for i in range(100))
                    if (variants.variant_for(s, TEST_SALT)["dropout"]["keep"] == "3/4") == wanted)

    score, top, _ = keep_test_score(student_with_keep(True))
    assert score == top > 0
    score, top, output = keep_test_score(student_with_keep(False))
    assert score == 0 < top and "your variant" in output
