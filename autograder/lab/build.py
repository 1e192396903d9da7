"""Build the student notebook from the lab's source notebook with ``otter assign``.

The source (``lab/keras_lab.ipynb``) is written once in otter-grader's assignment format: an
``# ASSIGNMENT CONFIG`` raw cell, ``# BEGIN QUESTION`` / ``# END QUESTION`` blocks, solution
cells between ``# BEGIN SOLUTION`` / ``# END SOLUTION`` (line markers inside code, ``# SOLUTION``
on single lines) and public checks between ``# BEGIN TESTS`` / ``# END TESTS``. ``otter assign``
writes the student version: solutions replaced by ``...``, tests moved into the notebook's
metadata behind ``grader.check(...)`` cells.

Why a post-processing step: otter gives the cells it creates (the init cell, the check cells,
the answer cells of manual questions) random ids, so two builds of the same source differ. A
release must be byte-reproducible, so ids that did not come from the source are replaced by a
hash of the cell's position and content, and the notebook is written with sorted keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "lab" / "keras_lab.ipynb"


class BuildError(RuntimeError):
    """otter assign failed or is missing; the message says what to do."""


def otter_assign(src: Path, out_dir: Path) -> Path:
    """Run ``otter assign``; return the student notebook (the reference one is in ``out_dir/autograder``)."""
    try:
        proc = subprocess.run([sys.executable, "-m", "otter", "assign", str(src), str(out_dir)],
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    except (OSError, subprocess.SubprocessError) as exc:
        raise BuildError(f"otter assign could not run: {exc}") from exc
    student = out_dir / "student" / src.name
    if proc.returncode != 0 or not student.is_file():
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        if "No module named otter" in proc.stderr:
            raise BuildError("building the lab needs otter-grader: pip install '.[lab]'")
        raise BuildError("otter assign failed:\n" + "\n".join(detail))
    return student


def _stable_ids(student: dict, source_ids: set[str]) -> dict:
    for index, cell in enumerate(student.get("cells", [])):
        if cell.get("id") in source_ids:
            continue
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else text
        digest = hashlib.sha256(f"{index}\0{cell.get('cell_type')}\0{text}".encode()).hexdigest()
        cell["id"] = f"otter-{digest[:8]}"
    return student


def build_student_notebook(src: str | os.PathLike = SOURCE, dst: str | os.PathLike = "keras_lab.ipynb") -> Path:
    """Write the student notebook built from the source notebook ``src`` to ``dst``; return ``dst``.

    Deterministic: the same source gives the same bytes. Raises :class:`BuildError` when otter
    assign is missing or rejects the source.
    """
    src, dst = Path(src).resolve(), Path(dst)
    source = json.loads(src.read_text(encoding="utf-8"))
    source_ids = {c.get("id") for c in source.get("cells", []) if c.get("id")}
    with tempfile.TemporaryDirectory(prefix="lab-build-") as tmp:
        student = json.loads(otter_assign(src, Path(tmp) / "dist").read_text(encoding="utf-8"))
    student = _stable_ids(student, source_ids)
    dst.parent.mkdir(parents=True, exist_ok=True)
    # nbformat's own layout (indent 1, sorted keys) so the file diffs like one Jupyter saved.
    dst.write_text(json.dumps(student, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return dst
