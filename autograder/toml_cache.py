"""The course's TOML files, parsed once where the grader is installed, as its bytecode is.

``tomllib`` is pure Python: parsing ``course.toml`` (40 KB) costs 10-20 ms, and a grading process
reads it twice (the course, the points rule) besides ``variants.toml`` and
``written_questions.toml``. :func:`load` parses a file once per process, and where
``python -m autograder.build.bytecode`` has left a parsed copy beside it (``__pycache__/NAME.
<tag>.toml-marshal``), reads that instead, exactly as the import system reads a checked-hash .pyc:
only while the hash of the file's bytes is the one the copy was made from. An edited file is
parsed again, never read stale. Each call returns a fresh object, so a caller may change what
it gets.
"""

from __future__ import annotations

import importlib.util
import marshal
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: What starts a parsed copy: this format and the marshal version, then the file's hash.
_MAGIC = b"agtoml" + marshal.version.to_bytes(2, "little")

_parsed: dict[tuple[Path, bytes], bytes] = {}     # (file, its hash) -> its parsed data, marshalled


def cache_path(path: Path) -> Path:
    """Where :func:`precompile` keeps the parsed copy of ``path``."""
    return path.parent / "__pycache__" / f"{path.name}.{sys.implementation.cache_tag}.toml-marshal"


def load(path: str | Path) -> dict[str, Any]:
    """``tomllib.loads`` of the file at ``path`` (OSError and tomllib's errors as it raises them)."""
    path = Path(path)
    data = path.read_bytes()
    key = (path.resolve(), importlib.util.source_hash(data))
    if key not in _parsed:
        _parsed[key] = _cached(path, key[1]) or marshal.dumps(_parse(data))
    return marshal.loads(_parsed[key])


def precompile(path: Path) -> None:
    """Leave a parsed copy of the TOML file ``path`` where :func:`load` looks for it."""
    data = path.read_bytes()
    parsed = marshal.dumps(_parse(data))   # ValueError: a value marshal cannot hold (a date)
    target = cache_path(path)
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(_MAGIC + importlib.util.source_hash(data) + parsed)
    partial.replace(target)    # whole or absent: a reader never sees half a copy


def _parse(data: bytes) -> dict[str, Any]:
    return tomllib.loads(data.decode("utf-8"))


def _cached(path: Path, source_hash: bytes) -> bytes | None:
    """The marshalled parse of ``path`` from its parsed copy, if that copy is of these bytes."""
    try:
        blob = cache_path(path).read_bytes()
    except OSError:
        return None
    header = len(_MAGIC) + len(source_hash)
    if blob[:len(_MAGIC)] != _MAGIC or blob[len(_MAGIC):header] != source_hash:
        return None
    try:
        ok = isinstance(marshal.loads(blob[header:]), dict)
    except (EOFError, ValueError, TypeError):
        ok = False
    return blob[header:] if ok else None
