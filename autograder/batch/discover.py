"""Find the submissions of a class in a directory, whatever platform exported them.

Accepted layouts (one submission per entry):

* plain: ``SUBMISSIONS/<student>/`` (a directory of modules), ``<student>.zip``,
  ``<student>.ipynb`` or ``<student>.py``;
* Gradescope's "Export Submissions": ``submission_metadata.yml`` beside ``submission_<id>/``
  folders; the student is read from the metadata (``:submitters:`` ``:sid:``/``:email:``/``:name:``);
* GitHub Classroom's export: ``<assignment>-<username>/`` clones; the common
  ``<assignment>-`` prefix is dropped so the student is the username.

Each submission is packed into one deterministic payload (the original file, or a zip with sorted
entries and fixed timestamps for a directory): its sha256 identifies the submission in the
gradebook, and the bytes travel to a grading worker on any machine (Dask) without a shared disk.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = {".git", "__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".venv", "node_modules"}
FILE_SUFFIXES = {".zip", ".ipynb", ".py"}


@dataclass(frozen=True)
class Submission:
    student: str
    source: str          # where it came from, relative to the submissions directory
    suffix: str          # ".zip", ".ipynb" or ".py": how the payload is to be read
    payload: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.suffix.encode() + b"\0" + self.payload).hexdigest()


def pack_directory(directory: Path) -> bytes:
    """A byte-reproducible zip of a directory: sorted entries, fixed times, no VCS or caches."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for root, dirs, files in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for name in sorted(files):
                path = Path(root) / name
                if path.is_symlink() or not path.is_file():
                    continue
                info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), (1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _gradescope_students(metadata: Path) -> dict[str, str]:
    """Map ``submission_<id>`` folders to a student id from Gradescope's metadata file."""
    try:
        import yaml  # PyYAML reads Gradescope's Ruby-flavoured YAML (keys like ':submitters:')
    except ImportError:  # without it, fall back to the folder names
        return {}
    try:
        data = yaml.safe_load(metadata.read_text(encoding="utf-8")) or {}
    except Exception:  # noqa: BLE001 - a broken metadata file only costs the nicer names
        return {}
    students = {}
    for folder, entry in data.items():
        entry = {str(k).strip(":"): v for k, v in (entry or {}).items()}
        submitters = entry.get("submitters") or []
        if submitters:
            who = {str(k).strip(":"): v for k, v in submitters[0].items()}
            ident = who.get("sid") or who.get("email") or who.get("name") or folder
            students[str(folder)] = str(ident)
    return students


def _classroom_prefix(names: list[str]) -> str:
    """The ``<assignment>-`` prefix GitHub Classroom puts before every username."""
    if len(names) < 2:
        return ""
    prefix = os.path.commonprefix(names)
    cut = prefix.rfind("-")
    return prefix[: cut + 1] if cut > 0 else ""


class SubmissionsError(ValueError):
    """The class folder cannot be graded as it is (two submissions for one student, say)."""


def discover(directory: str | Path) -> list[Submission]:
    directory = Path(directory)
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory} is not a directory of submissions")
    entries = sorted(p for p in directory.iterdir()
                     if not p.name.startswith(".") and p.name not in SKIP_DIRS)
    metadata = directory / "submission_metadata.yml"
    gradescope = _gradescope_students(metadata) if metadata.exists() else {}
    folders = [p.name for p in entries if p.is_dir()]
    prefix = "" if gradescope else _classroom_prefix(folders)
    submissions = []
    for path in entries:
        if path.is_dir():
            student = gradescope.get(path.name) or path.name[len(prefix):] or path.name
            submissions.append(Submission(student, path.name, ".zip", pack_directory(path)))
        elif path.suffix in FILE_SUFFIXES and path.is_file():
            submissions.append(Submission(path.stem, path.name, path.suffix, path.read_bytes()))
    seen: dict[str, int] = {}
    for sub in submissions:  # two entries for one student is an export error worth flagging
        seen[sub.student] = seen.get(sub.student, 0) + 1
    duplicates = sorted(s for s, n in seen.items() if n > 1)
    if duplicates:
        raise SubmissionsError(f"several submissions for the same student: {duplicates}: keep one "
                               "per student in the folder")
    return submissions


def safe_name(student: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", student)[:100] or "student"
