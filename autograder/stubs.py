"""Generate the student stubs in ``assignments/`` from the reference ``solutions/``.

The solutions are the single source: a stub keeps its function's signature and docstring (the
assignment text) and its body becomes ``raise NotImplementedError``. Everything else at module
level (imports, constants, the module docstring) is kept as written, except private helpers
(names starting with ``_``) and lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION``, which
are solution-only.

Written by hand (on ``ast``) because otter-assign works on notebooks and nbgrader on notebook
cells; neither rewrites plain Python modules.

    python -m autograder.stubs            # rewrite assignments/ from solutions/
    python -m autograder.stubs --check    # exit 1 if assignments/ differs from what it would write
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from .course import load_course

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
STUB_BODY = 'raise NotImplementedError("{name}: write this function (its docstring is the assignment)")'


def _strip_marked_blocks(lines: list[str]) -> list[str]:
    out, inside = [], False
    for line in lines:
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} without {END}")
    return out


def make_stub(source: str, functions: set[str]) -> str:
    """The stub module of one solution module; ``functions`` are the ones students write."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    replacements: list[tuple[int, int, list[str]]] = []  # (first line, last line) 1-based, new lines
    for node in tree.body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in functions:
                body = node.body
                doc = ast.get_docstring(node, clean=False)
                keep_until = body[0].end_lineno if doc is not None else body[0].lineno - 1
                indent = " " * body[0].col_offset
                stub = [indent + STUB_BODY.format(name=node.name) + "\n"]
                replacements.append((keep_until + 1, node.end_lineno, stub))
            elif node.name.startswith("_"):
                replacements.append((start, node.end_lineno, []))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("_"):
            replacements.append((start, node.end_lineno, []))
    for first, last, new in sorted(replacements, reverse=True):
        lines[first - 1:last] = new
    text = "".join(_strip_marked_blocks(lines))
    while "\n\n\n\n" in text:  # removed helpers leave gaps; keep PEP 8's two blank lines
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text.rstrip("\n") + "\n"


def expected_stubs(root: Path = ROOT) -> dict[Path, str]:
    """Every file of assignments/ as the build would write it.

    ``root`` is a course checkout; its own ``autograder/course.toml`` says which functions are the
    students' (so a build of another checkout, a release test's copy say, reads that copy's).
    """
    manifest = root / "autograder" / "course.toml"
    course = load_course(manifest) if manifest.is_file() else load_course()
    solutions = root / course.reference_package
    students = root / course.student_package
    functions_by_module: dict[str, set[str]] = {}
    out: dict[Path, str] = {}
    for ex in course.exercises:
        if ex.kind == "written":
            # the answer sheet: the trusted prompts with empty answers (never the marking guide)
            from .written import QUESTIONS_FILE, answer_sheet, module_questions

            exercise, questions = module_questions(root / "autograder" / QUESTIONS_FILE.name)
            if exercise == ex.id:
                out[root / ex.file] = answer_sheet(questions)
        if not ex.has_module:  # the lab's student notebook is built by autograder.lab.build
            continue
        functions_by_module.setdefault(ex.module, set()).update(ex.functions)
    init = (solutions / "__init__.py").read_text(encoding="utf-8")
    out[students / "__init__.py"] = make_stub(init, set())
    for module, functions in functions_by_module.items():
        source = (solutions / f"{module}.py").read_text(encoding="utf-8")
        out[students / f"{module}.py"] = make_stub(source, functions)
    return out


def main(argv: list[str] | None = None) -> int:
    from .usage import OneLineParser, run_command

    parser = OneLineParser(prog="python -m autograder.stubs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report drift, write nothing")
    return run_command(parser.prog, _run, parser.parse_args(argv))


def _run(args: argparse.Namespace) -> int:
    drift = []
    for path, text in expected_stubs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            drift.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    verb = "differ from the solutions' stubs" if args.check else "rewritten"
    for path in drift:
        print(f"{path.relative_to(ROOT)}: {verb}")
    return 1 if (args.check and drift) else 0


if __name__ == "__main__":
    sys.exit(main())
