"""Per-student variants: determinism, secrecy, the salt, the student's identity, the CLI, the
``variant`` fixture and the student release's ``variant.json``."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from autograder import variants
from autograder.cli import main

ROOT = Path(__file__).resolve().parents[2]
# A test-only salt: it has never been, and must never be, a course's real salt.
TEST_SALT = b"test-salt-for-variants-0123456789"
OTHER_SALT = b"another-test-salt-abcdefghijklmn"
STUDENTS = [f"s{1000 + i}" for i in range(60)]


@pytest.fixture
def no_salt_env(monkeypatch):
    monkeypatch.delenv(variants.SALT_ENV, raising=False)
    monkeypatch.delenv(variants.SALT_FILE_ENV, raising=False)


# --- determinism -----------------------------------------------------------------------------

def test_the_same_student_always_gets_the_same_variant():
    first = variants.variant_for("s1234567", TEST_SALT)
    assert variants.variant_for("s1234567", TEST_SALT) == first
    # spelling of the id does not matter (spaces, case), the id itself does
    assert variants.variant_for("  S1234567 ", TEST_SALT) == first
    assert first.to_json() == variants.variant_for("s1234567", TEST_SALT).to_json()


def test_choices_are_pinned_to_hmac_sha256_forever():
    # Digests computed with openssl, independently of Python:
    #   printf 'autograder-variant-v1\x1fs1234567\x1fgd\x1feta' | openssl dgst -sha256 -hmac SALT
    # 0x8843d888...cd66 mod 3 = 1, and for dropout/keep 0x45c5c8ea...6073 mod 5 = 3.
    assert variants.choice_index(TEST_SALT, "s1234567", "gd", "eta", 3) == 1
    assert variants.choice_index(TEST_SALT, "s1234567", "dropout", "keep", 5) == 3
    v = variants.variant_for("s1234567", TEST_SALT)
    assert v["gd"]["eta"] == variants.load_manifest()["gd"].choices["eta"][1] == "3/20"
    assert v["dropout"]["keep"] == "4/5"


def test_each_choice_depends_only_on_its_own_parameter(monkeypatch):
    # Adding an exercise or a parameter must not move anyone's other choices.
    before = variants.variant_for("s77", TEST_SALT)
    manifest = dict(variants.load_manifest())
    gd = manifest["gd"]
    manifest["gd"] = variants.ExerciseVariants("gd", gd.fixed, {**gd.choices, "new_param": ["1", "2"]})
    manifest["brand_new"] = variants.ExerciseVariants("brand_new", {}, {"z": ["1", "2", "3"]})
    monkeypatch.setattr(variants, "load_manifest", lambda path=None: manifest)
    after = variants.variant_for("s77", TEST_SALT)
    assert {k: v for k, v in after["gd"].items() if k != "new_param"} == before["gd"]
    assert all(after[ex] == before[ex] for ex in before.params if ex != "gd")


def test_different_salts_give_different_assignments():
    a = [variants.variant_for(s, TEST_SALT) for s in STUDENTS]
    b = [variants.variant_for(s, OTHER_SALT) for s in STUDENTS]
    assert sum(x != y for x, y in zip(a, b)) >= len(STUDENTS) * 3 // 4


def test_students_are_spread_over_every_value():
    # 60 students: every value of every list is drawn (a broken draw would cluster).
    drawn = {ex: {name: Counter() for name in space.choices} for ex, space in variants.load_manifest().items()}
    for s in STUDENTS:
        v = variants.variant_for(s, TEST_SALT)
        for ex, counters in drawn.items():
            for name, counter in counters.items():
                counter[json.dumps(v[ex][name])] += 1
    for ex, counters in drawn.items():
        for name, counter in counters.items():
            assert len(counter) == len(variants.load_manifest()[ex].choices[name]), (ex, name, counter)


def test_without_salt_or_student_everyone_gets_the_default_variant():
    default = variants.default_variant()
    assert variants.variant_for("s1", None) == default == variants.variant_for(None, TEST_SALT)
    assert default["gd"]["eta"] == variants.load_manifest()["gd"].choices["eta"][0]
    assert default.is_default


def test_the_public_test_documents_the_default_variant():
    doc = (ROOT / "tests" / "public" / "test_variant.py").read_text(encoding="utf-8").split('"""')[1]
    d = variants.default_variant()
    A = variants.rotated_quadratic(d["gd"]["kappa"])
    for text in [f"x0 = [{', '.join(d['gd']['x0'])}]", f"eta = {d['gd']['eta']}",
                 f"[[{A[0][0]}, {A[0][1]}], [{A[1][0]}, {A[1][1]}]]", f"beta = {d['momentum']['beta']}",
                 f"damping = {d['newton']['damping']}", f"keep = {d['dropout']['keep']}",
                 f"d = {d['permutation_symmetry']['d']}",
                 f"H = [[{d['stable_lr']['a']}, {d['stable_lr']['b']}], [{d['stable_lr']['b']}, {d['stable_lr']['c']}]]"]:
        assert text in doc, text


# --- the salt --------------------------------------------------------------------------------

def test_salt_sources_and_their_order(tmp_path):
    f = tmp_path / "salt"
    f.write_bytes(TEST_SALT + b"\n")
    assert variants.read_salt(environ={}) is None
    assert variants.read_salt(environ={variants.SALT_ENV: TEST_SALT.decode()}) == TEST_SALT
    assert variants.read_salt(environ={variants.SALT_FILE_ENV: str(f)}) == TEST_SALT
    # an explicit --salt-file wins over the environment
    assert variants.read_salt(f, environ={variants.SALT_ENV: OTHER_SALT.decode()}) == TEST_SALT


def test_a_short_or_unreadable_salt_is_refused(tmp_path):
    with pytest.raises(variants.SaltError, match="at least 16"):
        variants.read_salt(environ={variants.SALT_ENV: "short"})
    with pytest.raises(variants.SaltError, match="cannot read"):
        variants.read_salt(tmp_path / "missing")


def test_no_salt_in_the_repository():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True).stdout.split(b"\0")
    names = [n.decode() for n in tracked if n]
    assert not [n for n in names if "salt" in Path(n).name.lower() and not n.endswith(".py")]
    text = (ROOT / "autograder" / "variants.toml").read_text(encoding="utf-8").lower()
    assert "salt =" not in text and "salt=" not in text


def test_the_salt_never_appears_in_a_student_variant_file_or_release(tmp_path):
    out = variants.write_variant_file(tmp_path, "s1234567", TEST_SALT)
    data = out.read_bytes()
    assert not variants.salt_leaks([("variant.json", data)], TEST_SALT)
    # what a per-student release holds: the public files, the variants module and manifest, the
    # student's variant.json; none of them may contain the salt in any spelling
    shipped = [("variant.json", data)] + [
        (str(p.relative_to(ROOT)), p.read_bytes())
        for p in [*(ROOT / "tests" / "public").glob("*.py"), ROOT / "autograder" / "variants" / "__init__.py",
                  ROOT / "autograder" / "variants.toml", ROOT / "autograder" / "pytest_plugin.py"]]
    assert variants.salt_leaks(shipped, TEST_SALT) == []
    # ... and the check finds it wherever it is planted
    release = tmp_path / "student.zip"
    with zipfile.ZipFile(release, "w") as zf:
        zf.writestr("README.md", b"course notes " + TEST_SALT.hex().encode())
    with zipfile.ZipFile(release) as zf:
        planted = [(i.filename, zf.read(i)) for i in zf.infolist()]
    assert variants.salt_leaks(planted, TEST_SALT) == ["README.md"]
    assert variants.salt_leaks([("x", b"..." + TEST_SALT + b"...")], TEST_SALT) == ["x"]


def test_variant_file_holds_only_the_students_parameters(tmp_path):
    out = variants.write_variant_file(tmp_path, "s1234567", TEST_SALT)
    data = json.loads(out.read_text())
    assert set(data) == {"format", "student", "source", "exercises"}
    assert data["exercises"] == variants.variant_for("s1234567", TEST_SALT).params
    assert variants.read_variant_file(out) == variants.Variant(data["exercises"], student="s1234567",
                                                              source="variant.json")
    with pytest.raises(variants.SaltError):
        variants.write_variant_file(tmp_path, "s1", None)


def test_a_tampered_variant_file_is_refused(tmp_path):
    out = variants.write_variant_file(tmp_path, "s1", TEST_SALT)
    data = json.loads(out.read_text())
    data["exercises"]["gd"]["eta"] = "1/3"          # a value nobody derived
    out.write_text(json.dumps(data))
    with pytest.raises(variants.VariantFileError, match="not one of its variants"):
        variants.read_variant_file(out)
    out.write_text("{")
    with pytest.raises(variants.VariantFileError):
        variants.read_variant_file(out)


# --- who is graded -----------------------------------------------------------------------------

def _metadata(path: Path, **user) -> Path:
    path.write_text(json.dumps({"id": 1, "users": [{"name": "A Student", **user}]}))
    return path


def test_student_from_gradescope_metadata(tmp_path):
    assert variants.student_from_metadata(_metadata(tmp_path / "m.json", sid="S123", email="a@x.edu")) == "s123"
    assert variants.student_from_metadata(_metadata(tmp_path / "m.json", sid="", email="A@X.edu")) == "a@x.edu"
    assert variants.student_from_metadata(_metadata(tmp_path / "m.json")) is None
    (tmp_path / "bad.json").write_text("not json")
    assert variants.student_from_metadata(tmp_path / "bad.json") is None


def test_resolve_student_prefers_the_flag_then_the_file_then_gradescopes_layout(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    _metadata(tmp_path / "submission_metadata.json", sid="beside")
    other = _metadata(tmp_path / "other.json", sid="given")
    assert variants.resolve_student(submission, "Flag") == "flag"
    assert variants.resolve_student(submission, None, other) == "given"
    assert variants.resolve_student(submission) == "beside"
    assert variants.resolve_student(tmp_path / "elsewhere" / "x.py") is None


# --- wiring: the fixture, grading and the CLI ----------------------------------------------------

VARIANT_TESTS = [str(ROOT / "tests" / "hidden" / "test_variants.py")]


def _default_keep_only(tmp_path: Path) -> Path:
    """A submission right on one variant only: it hard-codes the default keep probability."""
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "dropout.py").write_text((ROOT / "solutions" / "dropout.py").read_text() +
                                    "\n\ndef keep_probability(num_dropped, num_units):\n    return 0.75\n")
    return sub


def _student_whose_keep(is_default: bool) -> str:
    return next(s for s in STUDENTS
                if (variants.variant_for(s, TEST_SALT)["dropout"]["keep"] == "3/4") == is_default)


def _keep_test(results):
    return next(t for t in results.tests if t.name == "test_keep_probability_for_your_number_of_units")


def test_grading_uses_the_students_variant(tmp_path, monkeypatch, no_salt_env):
    from autograder.grading import grade

    monkeypatch.setenv(variants.SALT_ENV, TEST_SALT.decode())
    sub = _default_keep_only(tmp_path)
    student = _student_whose_keep(is_default=False)
    default_run = grade(sub, isolate=False, tests=VARIANT_TESTS)
    student_run = grade(sub, isolate=False, tests=VARIANT_TESTS, student=student)
    assert _keep_test(default_run).status == "passed"
    assert _keep_test(student_run).status == "failed"
    assert "your variant" in _keep_test(student_run).feedback.rationale


def test_one_session_grades_each_student_on_their_own_variant(tmp_path, monkeypatch, no_salt_env):
    # The variant fixture is session-scoped: between two submissions of one grading session it
    # must be built again for the next student, not reused.
    from autograder.grading import Job, grade, grade_many

    monkeypatch.setenv(variants.SALT_ENV, TEST_SALT.decode())
    sub = _default_keep_only(tmp_path)
    other, same = _student_whose_keep(is_default=False), _student_whose_keep(is_default=True)
    order = [other, same, other]
    together = grade_many([Job(sub, student=who) for who in order], isolate=False,
                          tests=VARIANT_TESTS)
    assert [_keep_test(r).status for r in together] == ["failed", "passed", "failed"]
    for who, results in zip(order, together):
        alone = grade(sub, isolate=False, tests=VARIANT_TESTS, student=who)
        assert [(t.nodeid, t.status, t.score) for t in results.tests] == \
            [(t.nodeid, t.status, t.score) for t in alone.tests]


def test_grading_reads_the_student_from_gradescope_metadata(tmp_path, monkeypatch, no_salt_env):
    from autograder.grading import grade

    monkeypatch.setenv(variants.SALT_ENV, TEST_SALT.decode())
    student = next(s for s in STUDENTS if variants.variant_for(s, TEST_SALT)["dropout"]["keep"] != "3/4")
    sub = tmp_path / "submission"
    sub.mkdir()
    (sub / "dropout.py").write_text((ROOT / "solutions" / "dropout.py").read_text() +
                                    "\n\ndef keep_probability(num_dropped, num_units):\n    return 0.75\n")
    _metadata(tmp_path / "submission_metadata.json", sid=student)
    results = grade(sub, isolate=False, tests=[str(ROOT / "tests" / "hidden" / "test_variants.py")])
    assert next(t for t in results.tests if t.name == "test_keep_probability_for_your_number_of_units").status == "failed"


def test_grading_with_an_unusable_salt_is_an_error_not_a_score(tmp_path, monkeypatch, no_salt_env):
    from autograder.grading import grade

    monkeypatch.setenv(variants.SALT_ENV, "short")
    results = grade(ROOT / "solutions", isolate=False, student="s1",
                    tests=[str(ROOT / "tests" / "hidden" / "test_variants.py")])
    assert results.errors and "salt" in results.errors[0] and not results.tests


def test_variant_command_refuses_without_salt(capsys, no_salt_env):
    assert main(["variant", "--student", "s1"]) == 2
    assert "refusing" in capsys.readouterr().err


def test_variant_command_prints_the_students_parameters(tmp_path, capsys, no_salt_env):
    salt_file = tmp_path / "salt"
    salt_file.write_bytes(TEST_SALT)
    assert main(["variant", "--student", "S1234567", "--salt-file", str(salt_file), "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["exercises"] == variants.variant_for("s1234567", TEST_SALT).params
    assert TEST_SALT.decode() not in out
    assert main(["variant", "--student", "s1234567", "--salt-file", str(salt_file)]) == 0
    assert "eta=3/20" in capsys.readouterr().out


def test_the_fixture_reads_a_releases_variant_json(tmp_path, no_salt_env):
    # A student's own run: pytest in a release whose root holds variant.json.
    student = "s1234567"
    variants.write_variant_file(tmp_path, student, TEST_SALT)
    (tmp_path / "test_show.py").write_text(
        "def test_show(variant):\n"
        f"    assert variant.source == 'variant.json' and variant.student == {student!r}\n"
        "    assert variant['dropout']['keep'] == '4/5'\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "autograder.pytest_plugin", f"--rootdir={tmp_path}", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_grading_with_metadata_naming_nobody_is_an_error(tmp_path, no_salt_env):
    from autograder.grading import grade

    (tmp_path / "m.json").write_text(json.dumps({"users": []}))
    results = grade(ROOT / "solutions", isolate=False, metadata=tmp_path / "m.json",
                    tests=[str(ROOT / "tests" / "hidden" / "test_variants.py")])
    assert results.errors and "names no student" in results.errors[0]
