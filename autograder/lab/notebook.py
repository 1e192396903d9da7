"""Read a submitted notebook and keep the code the grader will run: imports, definitions, constants.

The grader never runs a notebook top to bottom: its experiment cells train four networks for 250
epochs and draw figures, which is the student's business, not the grader's. It runs the
*definitions* and then calls the named functions itself with its own arguments, so a number a
notebook prints is never trusted.

Everything here is pure text processing in the trusted process (``json``/``nbformat`` to read,
``ast`` to filter); nothing from the submission is executed.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field

# Names the grader never needs and the worker may not have (otter's local-check helper).
_SKIPPED_IMPORTS = frozenset({"otter"})


class NotebookError(ValueError):
    """The file is not a notebook the grader can read: its message is shown to the student."""


@dataclass
class ExtractedCode:
    """What the worker will execute, one chunk per code cell, plus what was left out and why."""

    chunks: list[tuple[int, str]] = field(default_factory=list)   # (cell index, source)
    problems: list[str] = field(default_factory=list)             # e.g. syntax errors per cell


def read_notebook(raw: bytes | str) -> dict:
    """Parse and validate a notebook (nbformat 4); raise :class:`NotebookError` with a readable reason."""
    try:
        import nbformat
    except ImportError as exc:  # pragma: no cover - the [lab] extra is missing
        raise NotebookError("grading notebooks needs nbformat: pip install '.[lab]'") from exc
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"the notebook is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}); was it saved completely?") from None
    except RecursionError:
        raise NotebookError("the notebook's JSON is nested too deeply to read") from None
    if not isinstance(data, dict) or "cells" not in data:
        raise NotebookError("the file is JSON but not a Jupyter notebook (it has no 'cells')")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001 - any nbformat complaint becomes feedback
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotebookError(f"the notebook does not follow the Jupyter format: {first}") from None
    return nb


def _strip_magics(source: str) -> str:
    # IPython magics and shell escapes are not Python; the grader needs neither.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def _is_constant(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _kept(node: ast.stmt) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, ast.Import):
        return not any(alias.name.split(".")[0] in _SKIPPED_IMPORTS for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] not in _SKIPPED_IMPORTS
    if isinstance(node, ast.Assign):
        return _is_constant(node.value) and all(isinstance(t, (ast.Name, ast.Tuple)) for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return node.value is not None and isinstance(node.target, ast.Name) and _is_constant(node.value)
    return False


def extract_definitions(nb: dict) -> ExtractedCode:
    """Keep the imports, function and class definitions and literal constants of every code cell.

    Calls, loops, plots and training at the top level are dropped (the grader calls the functions
    itself). A cell with a syntax error is reported and skipped, so the other cells still count.
    """
    out = ExtractedCode()
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        try:
            tree = ast.parse(_strip_magics(source))
        except SyntaxError as exc:
            out.problems.append(f"code cell {index} has a syntax error (line {exc.lineno}: {exc.msg}); "
                                "the grader skipped it")
            continue
        except (ValueError, MemoryError, RecursionError) as exc:
            out.problems.append(f"code cell {index} could not be parsed ({type(exc).__name__}); "
                                "the grader skipped it")
            continue
        kept = [node for node in tree.body if _kept(node)]
        if kept:
            # ast.unparse rather than slicing the text: two statements may share a line (`a = 1; f()`).
            out.chunks.append((index, "\n\n".join(ast.unparse(node) for node in kept) + "\n"))
    return out


def module_source(code: ExtractedCode, notebook_name: str) -> str:
    """The kept cells as one module the sandbox's worker imports, each cell run on its own.

    A cell that raises when it runs (a class body, a decorator, a constant that needs a missing
    package) is noted in ``_notebook_cell_errors`` and the next cell still runs, so one broken
    cell costs only the checks of what it defines.
    """
    cells = [(index, source) for index, source in code.chunks]
    return (f'"""The definitions of {notebook_name!r}, kept by the grader (generated)."""\n\n'
            "_notebook_cell_errors = []\n"
            f"for _cell_index, _cell_source in {cells!r}:\n"
            "    try:\n"
            "        exec(compile(_cell_source, f'<cell {_cell_index}>', 'exec'), globals())\n"
            "    except BaseException as _cell_error:  # noqa: BLE001\n"
            "        _notebook_cell_errors.append(\n"
            "            f'code cell {_cell_index}: {type(_cell_error).__name__}: {_cell_error}'[:500])\n"
            "del _cell_index, _cell_source\n")


# A written question's prompt starts (after otter's HTML comments) with its bold label: **3.3**.
_LABEL = re.compile(r"^\s*(?:<!--.*?-->\s*)*\*\*(\d+(?:\.\d+)*)\*\*", re.DOTALL)


def _text(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def written_answers(nb: dict, labels, limit: int | None = None) -> dict[str, str]:
    """The answer to each written question ``labels`` names, read as text: the Markdown cells
    after the cell whose prompt starts with ``**label**``, up to the next code cell, the next
    labelled prompt, or the end of the question (otter's ``<!-- END QUESTION -->`` in the student
    notebook, its ``# END QUESTION`` raw cell in the source). otter's placeholder does not count
    as an answer; a question not found has the answer "". Nothing is run or rendered.
    """
    from ..written import ANSWER_CHARS, PLACEHOLDER

    limit = ANSWER_CHARS if limit is None else limit
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]
    starts = {}
    for index, cell in enumerate(cells):
        match = _LABEL.match(_text(cell)) if cell.get("cell_type") == "markdown" else None
        if match and match.group(1) not in starts:
            starts[match.group(1)] = index
    out = {}
    for label in labels:
        parts = []
        for cell in cells[starts[label] + 1:] if label in starts else []:
            kind, text = cell.get("cell_type"), _text(cell)
            if kind == "code" or (kind == "raw" and text.lstrip().startswith("# END QUESTION")):
                break
            if kind != "markdown":
                continue
            if text.lstrip().startswith("<!-- END QUESTION -->") or _LABEL.match(text):
                break
            parts.append(text.replace(PLACEHOLDER, "").strip())
        out[label] = "\n\n".join(p for p in parts if p)[:limit]
    return out
