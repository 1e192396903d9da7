"""The leak check: nothing a student receives may give away solutions, hidden tests or answers.

This is the second line of defence after the allowlist of :mod:`autograder.build.layout`, and
it trusts nothing about how a file got into the release: it reads the bytes about to be
shipped. A release is refused when one of its members

* lies under a secret tree (``solutions/``, ``tests/hidden/``, ``tests/misconceptions/``,
  ``autograder/ground_truth/``), whatever its name in the release;
* is byte-for-byte a file of one of those trees (a ground-truth ``cache.json`` renamed to
  ``tests/public/expected.json`` is still the ground truth);
* contains, in any function (or a notebook's code cell), the body of a solution function, of a
  hidden test, or of a misconception-catalogue function;
* is a recording of the reference's calls (:mod:`autograder.sandbox.pipeline`: the hidden
  tests' inputs, made for the grader to send calls ahead), under any name, or lies in the
  grader's cache of them (``.autograder-cache/``);
* contains, anywhere in its text, a secret phrase: a clause of the written questions' marking
  guide or of their reference answers (compared with case and white space ignored, so a
  reflowed or re-cased copy is still found). Bodies are compared as normalised
  ASTs: ``ast.dump`` of each statement, docstrings removed, names kept, so reformatting, a new
  docstring or a renamed function does not hide a copied body.

Bodies smaller than :data:`MIN_BODY_NODES` AST nodes (``return 1.0``, a one-call wrapper such
as ``return rng.standard_normal(size)``) are too generic to fingerprint: they match honest
helpers in public tests, and their leak reveals no more than the docstring does.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .reproducible import Member

#: The secret trees of a course checkout, with the kind of secret each holds.
SECRET_TREES = {
    "solutions": "solution",
    "tests/hidden": "hidden test",
    "tests/misconceptions": "misconception-catalogue file",
    "autograder/ground_truth": "ground-truth file",
}
MIN_BODY_NODES = 8     # counted without Load/Store contexts
#: Shorter clauses of a secret text are too generic to fingerprint ("1 point: yes").
MIN_PHRASE_CHARS = 40


class LeakError(Exception):
    """The release would give a student something secret; the message names each leak."""

    def __init__(self, leaks: list["Leak"]):
        self.leaks = leaks
        super().__init__("refusing to build: the student release would leak\n"
                         + "\n".join(f"  - {leak}" for leak in leaks))


@dataclass(frozen=True)
class Leak:
    member: str        # the path inside the release
    kind: str          # "solution", "hidden test", ...
    item: str          # what leaked: a secret file, or file:function
    how: str           # "is under", "has the same bytes as", "contains the body of"

    def __str__(self) -> str:
        return f"{self.member} {self.how} {self.kind} {self.item}"


@dataclass(frozen=True)
class Fingerprint:
    kind: str
    item: str                  # "solutions/gradient_descent.py:gd"
    statements: tuple[str, ...]


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _dump(stmt: ast.stmt) -> str:
    # Docstrings of nested functions are dropped too, so they cannot disguise a copied body.
    for node in ast.walk(stmt):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            node.body = _without_docstring(node.body) or [ast.Pass()]
    return ast.dump(stmt, annotate_fields=False, include_attributes=False)


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def function_bodies(source: str, filename: str) -> list[tuple[str, tuple[str, ...], int]]:
    """(name, normalised statements, AST size) of every function of a module, nested ones too."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError:
        return []
    out = []
    for fn in _functions(tree):
        body = _without_docstring(fn.body)
        size = sum(1 for stmt in body for node in ast.walk(stmt)
                   if not isinstance(node, ast.expr_context))
        out.append((fn.name, tuple(_dump(stmt) for stmt in body), size))
    return out


def _marked_functions(source: str) -> set[str]:
    """Names of the functions whose source carries a solution marker (``# SOLUTION``...)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {fn.name for fn in _functions(tree)
            if "SOLUTION" in (ast.get_source_segment(source, fn) or "")}


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


class SecretIndex:
    """What a course checkout keeps secret: paths, file hashes and function fingerprints."""

    def __init__(self, root: Path, course_functions: set[str], public_hashes: frozenset[str] = frozenset(),
                 extra: dict[str, tuple[str, bytes]] | None = None):
        """``public_hashes``: contents that are public however they were made (a solution module
        with no function in it, ``__init__.py`` say, is its own stub). ``extra``: more secret
        files, path -> (kind, bytes), such as a lab's solution notebook a producer read."""
        self.hashes: dict[str, tuple[str, str]] = {}        # sha256 -> (kind, path)
        self.fingerprints: list[Fingerprint] = []
        self.phrases: list[tuple[str, str, str]] = []      # (kind, item, normalised clause)
        self.inputs: dict[str, bytes] = {}                  # secret files read, for the manifest
        self._functions, self._public = course_functions, public_hashes
        for tree, kind in SECRET_TREES.items():
            base = root / tree
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    self.add(path.relative_to(root).as_posix(), kind, path.read_bytes())
        for rel, (kind, data) in sorted((extra or {}).items()):
            self.add(rel, kind, data)

    def add(self, rel: str, kind: str, data: bytes) -> None:
        """Index one secret file: its hash, and its functions' bodies."""
        self.inputs[rel] = data
        digest = hashlib.sha256(data).hexdigest()
        # An empty __init__.py is no secret: every package has one.
        if data.strip() and digest not in self._public:
            self.hashes.setdefault(digest, (kind, rel))
        for source in _code_of(Member(rel, data)):
            self._fingerprint(kind, rel, source, self._functions,
                              marked_only=rel.endswith(".ipynb"))

    def add_phrases(self, kind: str, item: str, texts) -> None:
        """Index secret prose (a marking guide, reference answers): each clause of ``texts`` long
        enough to be distinctive is refused in any student member's text."""
        for text in texts:
            for clause in _clauses(text):
                self.phrases.append((kind, item, clause))

    def _fingerprint(self, kind: str, rel: str, source: str, course_functions: set[str],
                     marked_only: bool = False) -> None:
        # In an otter-format source notebook the functions handed to students whole (a plotting
        # helper) have no solution marker; only the marked ones are answers.
        marked = _marked_functions(source) if marked_only else None
        for name, statements, size in function_bodies(source, rel):
            if marked is not None and name not in marked:
                continue
            if kind == "hidden test" and not name.startswith("test"):
                continue        # helpers (a gradient of x^2) are shared with the public tests
            if kind == "misconception-catalogue file" and name not in course_functions:
                continue
            if kind == "ground-truth file":
                continue        # derivation code is not an answer; its values are (by hash)
            if size >= MIN_BODY_NODES:
                self.fingerprints.append(Fingerprint(kind, f"{rel}:{name}", statements))

    def leaks_in(self, member: Member) -> list[Leak]:
        found: list[Leak] = []
        if is_call_recording(member):
            found.append(Leak(member.path, "recording of the reference's calls",
                              "(the hidden tests' inputs)", "is a"))
        for tree, kind in SECRET_TREES.items():
            if member.path == tree or member.path.startswith(tree + "/") \
                    or f"/{tree}/" in f"/{member.path}":
                found.append(Leak(member.path, f"the {kind} tree", tree + "/", "is under"))
        digest = hashlib.sha256(member.data).hexdigest()
        if digest in self.hashes:
            kind, rel = self.hashes[digest]
            found.append(Leak(member.path, kind, rel, "has the same bytes as"))
        if self.phrases:
            text = _normalised(member.data.decode("utf-8", "replace"))
            for kind, item, clause in self.phrases:
                if clause in text:
                    found.append(Leak(member.path, kind, item, "contains a clause of the"))
                    break
        for source in _code_of(member):
            for name, statements, _ in function_bodies(source, member.path):
                for fp in self.fingerprints:
                    if _contains(statements, fp.statements):
                        found.append(Leak(f"{member.path}:{name}", fp.kind, fp.item,
                                          "contains the body of"))
        return found


def is_call_recording(member: Member) -> bool:
    """Is ``member`` a recording of the reference's calls, or in the grader's cache of them?"""
    from ..sandbox.pipeline import CACHE_DIR, MARKER

    if member.path == CACHE_DIR or f"/{CACHE_DIR}/" in f"/{member.path}":
        return True
    if MARKER.encode() not in member.data:
        return False
    try:
        data = json.loads(member.data)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("format") == MARKER


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def _clauses(text: str) -> list[str]:
    """The distinctive clauses of a secret text: split at sentence and clause marks."""
    import re

    parts = re.split(r"[.;:!?()]\s|\n\s*\n|\s-\s", text)
    return [c for c in (_normalised(p).strip(" .;:,") for p in parts) if len(c) >= MIN_PHRASE_CHARS]


def _code_of(member: Member) -> list[str]:
    """The Python source in a member: a module, or the code cells of a notebook."""
    if member.path.endswith(".py"):
        return [member.data.decode("utf-8", "replace")]
    if member.path.endswith(".ipynb"):
        try:
            cells = json.loads(member.data.decode("utf-8")).get("cells", [])
        except (ValueError, AttributeError):
            return []
        sources = ["".join(c["source"]) if isinstance(c.get("source"), list) else str(c.get("source", ""))
                   for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
        # Cells run as one module; IPython magics would not parse, so they are blanked.
        text = "\n".join(sources)
        return ["\n".join("" if line.lstrip().startswith(("%", "!")) else line
                          for line in text.splitlines())]
    return []


def check_leaks(members: list[Member], secrets: SecretIndex) -> None:
    """Raise :class:`LeakError` naming every leak among ``members``."""
    leaks = [leak for member in members for leak in secrets.leaks_in(member)]
    if leaks:
        raise LeakError(leaks)
