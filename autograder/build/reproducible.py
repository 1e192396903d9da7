"""Byte-reproducible zip archives: the same members give the same bytes, on any machine.

``zipfile`` records whatever the file system says (modification times, permissions, the order
files were listed in); a release must record none of that. Every member here gets the build's
one timestamp (``SOURCE_DATE_EPOCH``, the reproducible-builds.org convention, else the time of
the last commit), a fixed Unix mode (0o644, or 0o755 for scripts), and the archive lists members
in sorted order. Written with the standard library because the wheel/sdist tools that do this
(``wheel``, ``flit-core``) only apply it to their own formats.
"""

from __future__ import annotations

import io
import os
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

#: 1980-01-01T00:00:00Z, the earliest time a zip header can hold.
ZIP_EPOCH = 315532800
FILE_MODE, EXEC_MODE = 0o644, 0o755


@dataclass(frozen=True)
class Member:
    """One file of an artifact: where it goes in the archive, its bytes, and its mode."""
    path: str
    data: bytes
    mode: int = FILE_MODE

    def __post_init__(self) -> None:
        check_member_path(self.path)
        if self.mode not in (FILE_MODE, EXEC_MODE):
            raise ValueError(f"{self.path}: mode {oct(self.mode)} is neither 0o644 nor 0o755")


def check_member_path(path: str) -> None:
    """A relative POSIX path with no ``..``, no absolute part and no byte-code cache."""
    parts = path.split("/")
    if (not path or path.startswith("/") or "\\" in path or ":" in parts[0]
            or any(p in ("", ".", "..") for p in parts)):
        raise ValueError(f"{path!r} is not a clean relative archive path")
    if "__pycache__" in parts or path.endswith((".pyc", ".pyo")):
        raise ValueError(f"{path!r}: byte-code caches are never released")


def source_date_epoch(root: Path, override: int | None = None) -> int:
    """The build's timestamp: an explicit value, ``$SOURCE_DATE_EPOCH``, the last commit, or 1980."""
    if override is not None:
        return max(int(override), ZIP_EPOCH)
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env:
        return max(int(env), ZIP_EPOCH)
    try:
        out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, timeout=20)
        if out.returncode == 0 and out.stdout.strip():
            return max(int(out.stdout.strip()), ZIP_EPOCH)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return ZIP_EPOCH


def zip_bytes(members: list[Member], epoch: int) -> bytes:
    """The archive of ``members``, deterministic for a given ``epoch``."""
    seen: set[str] = set()
    stamp = time.gmtime(max(epoch, ZIP_EPOCH))[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in sorted(members, key=lambda m: m.path):
            if member.path in seen:
                raise ValueError(f"{member.path} is in the archive twice")
            seen.add(member.path)
            info = zipfile.ZipInfo(member.path, date_time=stamp)
            info.create_system = 3                      # Unix, so the mode bits below are read
            info.external_attr = (0o100000 | member.mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()
