"""Turning a submission (folder, .py, .zip, .ipynb) into modules; refusing unsafe or broken ones."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

from autograder.course import load_course
from autograder.submission import (MAX_ZIP_ENTRIES, PLACEHOLDER_MARK, SubmissionProblem,
                                   materialise, notebook_code)

MODULES = load_course().modules
GD = "def gd(grad, x0, eta, num_steps):\n    return 'mine'\n"


def _zip(path: Path, entries: dict[str, bytes | str], *, links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in links:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, data)
    return path


def _materialise(tmp_path, src):
    return materialise(src, tmp_path / "out")


def test_a_directory_is_copied_and_missing_modules_become_kind_placeholders(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "gradient_descent.py").write_text(GD)
    (sub / "helpers.py").write_text("X = 1\n")
    (sub / "notes.txt").write_text("not code")
    m = _materialise(tmp_path, sub)
    assert m.kind == "directory" and m.found == ["gradient_descent"]
    assert (m.directory / "gradient_descent.py").read_text() == GD
    assert (m.directory / "helpers.py").exists() and not (m.directory / "notes.txt").exists()
    assert set(m.missing) == set(MODULES) - {"gradient_descent"}
    for module in m.missing:
        text = (m.directory / f"{module}.py").read_text()
        assert text.startswith(PLACEHOLDER_MARK) and f"{module}.py is missing" in text


def test_a_clone_with_assignments_folder_is_found(tmp_path):
    sub = tmp_path / "clone"
    (sub / "assignments").mkdir(parents=True)
    (sub / "solutions").mkdir()
    (sub / "assignments" / "gradient_descent.py").write_text(GD)
    (sub / "assignments" / "second_order.py").write_text("X = 2\n")
    (sub / "solutions" / "gradient_descent.py").write_text("wrong folder")
    m = _materialise(tmp_path, sub)
    assert (m.directory / "gradient_descent.py").read_text() == GD
    assert m.notes == ["modules found in assignments/"]


def test_a_single_py_file_serves_every_module(tmp_path):
    src = tmp_path / "all_in_one.py"
    src.write_text(GD)
    m = _materialise(tmp_path, src)
    assert m.kind == "py" and m.missing == []
    assert all((m.directory / f"{mod}.py").read_text() == GD for mod in MODULES)


@pytest.mark.parametrize("layout", ["flat", "one-folder", "assignments"])
def test_a_zip_is_extracted_wherever_the_modules_sit(tmp_path, layout):
    prefix = {"flat": "", "one-folder": "my-work/", "assignments": "repo/assignments/"}[layout]
    src = _zip(tmp_path / "s.zip", {f"{prefix}gradient_descent.py": GD,
                                    "__MACOSX/._gradient_descent.py": "junk",
                                    f"{prefix}README.md": "hello"})
    m = _materialise(tmp_path, src)
    assert m.kind == "zip" and m.found == ["gradient_descent"]
    assert (m.directory / "gradient_descent.py").read_text() == GD
    assert not list(tmp_path.glob("out-unzipped*"))  # the scratch extraction is cleaned up


@pytest.mark.parametrize("where", ["submission/", "submission/my-work/"])
def test_a_zip_left_in_the_submission_folder_is_unpacked_as_an_upload_would_be(tmp_path, where):
    # Gradescope unpacks an uploaded zip; a zip inside it (or a zip handed in beside nothing
    # else) arrives as a file in /autograder/submission.
    inner = tmp_path / where / "work.zip"
    inner.parent.mkdir(parents=True)
    _zip(inner, {"hw/gradient_descent.py": GD, "hw/notes.md": "x"})
    m = _materialise(tmp_path, tmp_path / "submission")
    assert m.found == ["gradient_descent"]
    assert (m.directory / "gradient_descent.py").read_text() == GD
    assert m.notes[0] == f"unpacked {where.removeprefix('submission/')}work.zip"
    assert not list(tmp_path.glob("out-unzipped*"))


def test_a_zip_inside_a_zip_is_unpacked_once_and_no_deeper(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("gradient_descent.py", GD)
    outer = _zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue()})
    assert _materialise(tmp_path, outer).found == ["gradient_descent"]
    deeper = _zip(tmp_path / "deeper.zip", {"outer.zip": outer.read_bytes()})
    with pytest.raises(SubmissionProblem, match="No course module was found"):
        materialise(deeper, tmp_path / "out2")


def test_modules_beside_a_zip_win_and_two_zips_are_refused_with_a_reason(tmp_path):
    sub = tmp_path / "submission"
    sub.mkdir()
    _zip(sub / "old.zip", {"gradient_descent.py": "def gd(*a):\n    return 'old'\n"})
    (sub / "gradient_descent.py").write_text(GD)
    assert (_materialise(tmp_path, sub).directory / "gradient_descent.py").read_text() == GD
    (sub / "gradient_descent.py").unlink()
    _zip(sub / "new.zip", {"gradient_descent.py": GD})
    with pytest.raises(SubmissionProblem, match=r"several zip files \(new.zip, old.zip\)"):
        materialise(sub, tmp_path / "out2")


@pytest.mark.parametrize("entries, links, says", [
    ({}, (), "empty zip"),
    ({"../evil.py": "x"}, (), "outside the archive"),
    ({"ok/../../evil.py": "x"}, (), "outside the archive"),
    ({"/etc/evil.py": "x"}, (), "absolute path"),
    ({"gradient_descent.py": "/etc/passwd"}, ("gradient_descent.py",), "symbolic link"),
    ({"README.md": "no code here"}, (), "No course module was found"),
])
def test_unsafe_or_useless_zips_are_refused_with_a_reason(tmp_path, entries, links, says):
    src = _zip(tmp_path / "s.zip", entries, links=links)
    with pytest.raises(SubmissionProblem, match=says):
        _materialise(tmp_path, src)
    assert not (tmp_path / "evil.py").exists() and not (tmp_path.parent / "evil.py").exists()


def test_a_zip_bomb_is_refused_before_it_fills_the_disk(tmp_path, monkeypatch):
    src = _zip(tmp_path / "bomb.zip", {"gradient_descent.py": b"0" * (8 * 2**20)})
    assert src.stat().st_size < 100_000
    with pytest.raises(SubmissionProblem, match="zip bomb"):
        _materialise(tmp_path, src)
    # Many entries each under the ratio limit that add up past the total limit (scaled down).
    monkeypatch.setattr("autograder.submission.MAX_UNPACKED_BYTES", 2**20)
    many = _zip(tmp_path / "wide.zip", {f"{i}.py": bytes(range(256)) * 1024 for i in range(5)})
    with pytest.raises(SubmissionProblem, match="more than 1 MiB"):
        _materialise(tmp_path, many)


def test_a_zip_with_too_many_entries_is_refused(tmp_path):
    src = _zip(tmp_path / "many.zip", {f"f{i}.txt": "" for i in range(MAX_ZIP_ENTRIES + 1)})
    with pytest.raises(SubmissionProblem, match="entries"):
        _materialise(tmp_path, src)


def test_a_zip_that_lies_about_its_sizes_is_stopped_while_inflating(tmp_path):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("gradient_descent.py", b"#" * (12 * 2**20))
    raw = bytearray(data.getvalue())
    # Forge the central directory's uncompressed size (offset 24 in each record) down to 100.
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24:cd + 28] = (100).to_bytes(4, "little")
    src = tmp_path / "liar.zip"
    src.write_bytes(bytes(raw))
    with pytest.raises(SubmissionProblem):
        _materialise(tmp_path, src)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    src = tmp_path / "s.zip"
    src.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(SubmissionProblem, match="not a valid zip"):
        _materialise(tmp_path, src)
    other = tmp_path / "s.docx.txt"
    other.write_text("hello")
    with pytest.raises(SubmissionProblem, match="not something the grader can read"):
        _materialise(tmp_path, other)


def _notebook(cells):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": kind, "metadata": {}, "source": src,
                                  **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                                 for kind, src in cells]})


def test_a_notebook_keeps_code_cells_and_drops_magics(tmp_path):
    nb = tmp_path / "lab.ipynb"
    nb.write_text(_notebook([
        ("markdown", "# My answers"),
        ("code", "%matplotlib inline\n!pip install numpy\nimport numpy as np"),
        ("code", "%%bash\necho hi"),
        ("code", "np.mean?\n" + GD),
    ]))
    code = notebook_code(nb)
    assert "%" not in code and "!pip" not in code and "echo hi" not in code and "?" not in code
    assert "import numpy as np" in code and GD.strip() in code
    compile(code, "lab.ipynb", "exec")
    m = _materialise(tmp_path, nb)
    assert m.kind == "ipynb" and m.missing == []


def test_the_json_fast_path_reads_notebooks_as_nbformat_does(tmp_path):
    # Sources saved as lists of lines (as Jupyter writes them) and as strings, an old v3
    # notebook (converted by nbformat): the code is what nbformat's cells give.
    from autograder.submission import _nbformat_cells, _v4_cells

    lines = ["import numpy as np\n", "%time x = 1\n", "def f(x):\n", "    return 2 * x\n"]
    nb = tmp_path / "lab.ipynb"
    nb.write_text(_notebook([("code", lines), ("markdown", ["# notes"]), ("code", GD)]))
    text = nb.read_text()
    fast = _v4_cells(text)
    assert fast is not None
    slow = _nbformat_cells(nb, text)
    assert [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
            for c in fast] == [(c.cell_type, c.source) for c in slow]
    assert "def f(x):\n    return 2 * x" in notebook_code(nb) and "%time" not in notebook_code(nb)
    v3 = tmp_path / "old.ipynb"
    v3.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [
        {"cells": [{"cell_type": "code", "input": "y = 3\n", "language": "python",
                    "outputs": [], "metadata": {}}], "metadata": {}}]}))
    assert _v4_cells(v3.read_text()) is None and "y = 3" in notebook_code(v3)


def test_a_notebook_that_is_not_json_is_refused_kindly(tmp_path):
    nb = tmp_path / "lab.ipynb"
    nb.write_text('{"cells": [ oops')
    with pytest.raises(SubmissionProblem, match="not valid JSON"):
        _materialise(tmp_path, nb)


def test_empty_and_missing_and_undecodable_files(tmp_path):
    empty = tmp_path / "empty.py"
    empty.write_text("  \n")
    with pytest.raises(SubmissionProblem, match="no code"):
        _materialise(tmp_path, empty)
    with pytest.raises(SubmissionProblem, match="no file or folder"):
        _materialise(tmp_path, tmp_path / "nope")
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"x = '\xe9'\n")
    with pytest.raises(SubmissionProblem, match="not UTF-8"):
        _materialise(tmp_path, latin)
