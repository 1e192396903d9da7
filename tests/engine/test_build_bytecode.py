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
