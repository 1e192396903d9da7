"""The grader's bytecode is compiled once where it runs (setup.sh), and valid while unchanged."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from autograder.build.bytecode import precompile

ROOT = Path(__file__).resolve().parents[2]


def _copy_course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for tree in ("autograder", "tests/public", "solutions"):
        shutil.copytree(ROOT / tree, root / tree, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(ROOT / "conftest.py", root / "conftest.py")
    return root


def test_precompile_leaves_checked_engine_bytecode_and_rewritten_tests(tmp_path):
    root = _copy_course(tmp_path)
    assert precompile(root) == []
    tag = sys.implementation.cache_tag
    source = root / "autograder" / "grading.py"
    pyc = root / "autograder" / "__pycache__" / f"grading.{tag}.pyc"
    header = pyc.read_bytes()[:16]
    # A checked-hash pyc (PEP 552): flags 0b11, then the hash of the source it was compiled from.
    assert int.from_bytes(header[4:8], "little") == 0b11
    assert header[8:16] == importlib.util.source_hash(source.read_bytes())
    # The reference solutions, which the grader imports to diagnose a misconception.
    reference = root / "solutions" / "gradient_descent.py"
    assert Path(importlib.util.cache_from_source(str(reference))).read_bytes()[8:16] == \
        importlib.util.source_hash(reference.read_bytes())
    # pytest's own cache of each rewritten test module (read even where nothing may be written).
    rewritten = list((root / "tests" / "public" / "__pycache__").glob(f"test_*.{tag}-pytest-*.pyc"))
    public = list((root / "tests" / "public").glob("test_*.py"))
    assert public and len(rewritten) == len(public)


def test_the_worker_runtime_reuses_a_valid_cached_pyc_and_never_a_stale_one(tmp_path):
    import marshal
    import os
    import py_compile

    from autograder.sandbox.isolation import _cached_bytecode

    module = tmp_path / "runtime_module.py"
    module.write_text("VALUE = 1\n")
    assert _cached_bytecode(module, module.read_bytes()) is None          # nothing cached
    for mode in (py_compile.PycInvalidationMode.CHECKED_HASH,
                 py_compile.PycInvalidationMode.TIMESTAMP):
        module.write_text("VALUE = 1\n")
        py_compile.compile(str(module), invalidation_mode=mode, doraise=True)
        reused = _cached_bytecode(module, module.read_bytes())
        # An unchecked-hash pyc of this very source (valid for a copy of it, whatever its mtime).
        assert reused[:4] == importlib.util.MAGIC_NUMBER
        assert int.from_bytes(reused[4:8], "little") == 0b01
        assert reused[8:16] == importlib.util.source_hash(module.read_bytes())
        namespace: dict = {}
        exec(marshal.loads(reused[16:]), namespace)
        assert namespace["VALUE"] == 1
        # The source changed since (same size, same second): never the old code.
        stat = module.stat()
        module.write_text("VALUE = 2\n")
        if mode is py_compile.PycInvalidationMode.TIMESTAMP:
            os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        assert _cached_bytecode(module, module.read_bytes()) is None


def test_toml_files_are_read_from_their_parsed_copy_only_while_unchanged(tmp_path, monkeypatch):
    from autograder import toml_cache

    manifest = tmp_path / "course.toml"
    manifest.write_text('[points]\nper_exercise = 15\n[course]\nname = "x"\n')
    assert toml_cache.load(manifest) == {"points": {"per_exercise": 15}, "course": {"name": "x"}}
    toml_cache.precompile(manifest)
    assert toml_cache.cache_path(manifest).is_file()
    # A parsed copy that says something else proves which one was read: the copy, while the
    # file's bytes are the ones it was made from ...
    toml_cache._parsed.clear()
    blob = toml_cache.cache_path(manifest).read_bytes()
    header = len(toml_cache._MAGIC) + 8
    import marshal
    toml_cache.cache_path(manifest).write_bytes(blob[:header] + marshal.dumps({"from": "copy"}))
    assert toml_cache.load(manifest) == {"from": "copy"}
    # ... and each caller gets its own object to change.
    toml_cache.load(manifest)["from"] = "changed"
    assert toml_cache.load(manifest) == {"from": "copy"}
    # An edited file is parsed again, never read stale; a damaged copy is ignored.
    manifest.write_text('[points]\nper_exercise = 16\n')
    assert toml_cache.load(manifest) == {"points": {"per_exercise": 16}}
    toml_cache._parsed.clear()
    toml_cache.precompile(manifest)
    toml_cache.cache_path(manifest).write_bytes(toml_cache.cache_path(manifest).read_bytes()[:-3])
    assert toml_cache.load(manifest) == {"points": {"per_exercise": 16}}


def test_precompile_parses_the_engine_s_toml_files_ahead(tmp_path):
    from autograder import toml_cache

    root = _copy_course(tmp_path)
    assert precompile(root) == []
    for name in ("course.toml", "variants.toml"):
        assert toml_cache.cache_path(root / "autograder" / name).is_file()
