"""Turn whatever a student handed in into a directory of modules the grader can load.

A submission arrives as one of:

* a directory (``gradient_descent.py``, ``second_order.py``, ... or a clone whose modules sit in
  ``assignments/``): its modules are copied;
* a single ``.py`` file: its code serves every module of ``course.toml`` (a student who keeps
  all their functions in one file is graded on all of them);
* a ``.zip``: extracted safely (no absolute paths, no ``..``, no links, bounded size), the
  modules found even when nested in one top-level folder or in ``assignments/``; a folder (or a
  zip) whose only gradable content is one zip is graded from that zip, as if it had been
  uploaded itself (Gradescope unpacks an upload, so a zip inside the upload arrives as a file);
* a ``.ipynb`` notebook: its code cells, with IPython magics and shell lines removed, serve
  every module, as for a ``.py`` file.

A written exercise's answer sheet (``written_answers.md``, found anywhere in a folder or zip) is
read here as bounded text, never run, and its answers kept in a file of the grader's own beside
the modules (:data:`WRITTEN_FILE`) for the hidden tests that report them as graded by hand.

Anything that cannot be read becomes a :class:`SubmissionProblem` with a sentence a student can
act on; :func:`materialise` never lets an exception about the *submission* escape otherwise.
Modules a submission lacks are written as placeholders that fail to import with a kind message,
so each missing module costs exactly its own exercises and says why.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .course import Course, load_course

# Limits on what a zip may unpack to. A course submission is a handful of small .py files; these
# leave two orders of magnitude of room and still stop a zip bomb long before the disk fills.
MAX_ZIP_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200          # per entry, for entries larger than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_SEARCH_DEPTH = 4                 # how deep below the top we look for the modules
_SKIPPED_DIRS = {"__MACOSX", "__pycache__", ".git", ".ipynb_checkpoints", ".venv", "venv",
                 "node_modules"}

PLACEHOLDER_MARK = "# autograder: placeholder for a module missing from the submission\n"


class SubmissionProblem(Exception):
    """The submission as a whole cannot be read; the message is written for the student."""


@dataclass
class Materialised:
    """The submission as a directory of modules, with what was learnt while building it."""
    directory: Path
    kind: str                                  # "directory", "py", "zip", "ipynb"
    found: list[str] = field(default_factory=list)     # course modules the submission provided
    missing: list[str] = field(default_factory=list)   # course modules it lacks (placeholders)
    notes: list[str] = field(default_factory=list)     # things the student should know
    #: notebook exercise id -> what became of its notebook (the Keras lab)
    notebooks: dict[str, "NotebookIntake"] = field(default_factory=dict)
    #: written exercise id -> what became of its answer sheet
    written: dict[str, "SheetIntake"] = field(default_factory=dict)


@dataclass(frozen=True)
class SheetIntake:
    """A written exercise's answer sheet in this submission: ``ok`` (read as text), ``missing``
    or ``unreadable`` (with why), and the (label, answer) of each question."""
    exercise: str
    status: str
    reason: str = ""
    answers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NotebookIntake:
    """A notebook exercise's notebook in this submission: ``ok`` (its definitions were written
    as a module for the sandbox's worker), ``missing`` or ``unreadable``, with why and notes."""
    exercise: str
    status: str
    reason: str = ""
    notes: tuple[str, ...] = ()
    #: (label, answer) of each written question (:mod:`autograder.written`), read as text.
    answers: tuple[tuple[str, str], ...] = ()


def is_lab_notebook(path: Path, course: Course) -> bool:
    """A notebook handed in alone that is a notebook exercise's (by its name, or because it
    defines that exercise's first function), not a notebook of the course's modules."""
    names = {Path(ex.notebook).name: ex for ex in course.exercises if ex.is_notebook}
    if path.name in names:
        return True
    try:
        with open(path, "rb") as fh:
            text = fh.read(MAX_FILE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    # Three of its functions: a notebook of the course's modules defines none of the lab's.
    return any(sum(f"def {fn}(" in text for fn in ex.functions) >= 3 for ex in names.values())


def materialise(path: str | Path, dest: str | Path, course: Course | None = None) -> Materialised:
    """Write the submission at ``path`` as ``dest/<module>.py`` files, one per course module.

    ``dest`` must be an empty (or absent) directory that the caller owns and removes.
    Raises :class:`SubmissionProblem` when nothing gradable can be read from ``path``.
    """
    course = course or load_course()
    src = Path(path)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if not src.exists():
        raise SubmissionProblem(f"There is no file or folder at {src}.")
    if src.is_dir():
        result = _from_directory(src, dest, course, kind="directory")
    else:
        suffix = src.suffix.lower()
        if suffix == ".py":
            result = _from_source(_read_text(src), dest, course, kind="py")
        elif suffix == ".ipynb" and is_lab_notebook(src, course):
            result = Materialised(dest, "ipynb")
            lab = next(ex for ex in course.exercises if ex.is_notebook)
            result.notebooks[lab.id] = _write_notebook_module(src, dest, lab)
        elif suffix == ".ipynb":
            result = _from_source(notebook_code(src), dest, course, kind="ipynb")
        else:
            # Opened once: a file that is a zip whatever its name is unpacked from this handle.
            try:
                archive = _open_zip(src)
            except OSError:
                if suffix == ".zip":
                    raise
                archive = None
            # (A file with a zip's end record but a broken directory is a damaged zip, told so.)
            if archive is None and suffix != ".zip" and not zipfile.is_zipfile(src):
                raise SubmissionProblem(
                    f"{src.name} is not something the grader can read: hand in a folder of .py "
                    "files, a single .py file, a .zip of your files or a .ipynb notebook.")
            result = _from_zip(src, dest, course, archive=archive)
    _write_placeholders(result, course)
    for ex in course.exercises:
        if ex.is_notebook and ex.id not in result.notebooks:
            result.notebooks[ex.id] = missing_notebook(ex)
        if ex.kind == "written" and ex.id not in result.written:
            result.written[ex.id] = missing_sheet(ex)
    (dest / WRITTEN_FILE).write_text(json.dumps(
        {k: [v.status, v.reason, [list(a) for a in v.answers]] for k, v in result.written.items()}),
        encoding="utf-8")
    # What the lab's tests read (in this process or, with runner="subprocess", another): only
    # .py files are ever copied from a submission, so this name is the grader's own.
    (dest / NOTEBOOKS_FILE).write_text(json.dumps(
        {k: [v.status, v.reason, list(v.notes), [list(a) for a in v.answers]]
         for k, v in result.notebooks.items()}), encoding="utf-8")
    return result


NOTEBOOKS_FILE = ".notebooks.json"
#: What the written questions' tests read: each written exercise's answers (the grader's own file).
WRITTEN_FILE = ".written.json"


def missing_sheet(exercise) -> SheetIntake:
    return SheetIntake(exercise.id, "missing", f"{Path(exercise.file).name} is missing from your "
                       "submission: hand it in with your modules")


def read_sheet_intake(directory: Path) -> dict[str, SheetIntake] | None:
    """What :func:`materialise` wrote about a materialised submission's answer sheets (None:
    nothing, e.g. a folder that was never materialised)."""
    try:
        data = json.loads((Path(directory) / WRITTEN_FILE).read_text(encoding="utf-8"))
        return {k: SheetIntake(k, str(v[0]), str(v[1]), tuple((str(a[0]), str(a[1])) for a in v[2]))
                for k, v in data.items()}
    except (OSError, ValueError, TypeError, IndexError, AttributeError, KeyError):
        return None


def read_sheet(path: Path, exercise) -> SheetIntake:
    """A written exercise's answer sheet read as text (bounded; nothing of it runs)."""
    from .written import SHEET_BYTES, read_answer_sheet, written_questions

    try:
        with open(path, "rb") as fh:
            data = fh.read(SHEET_BYTES + 1)
    except OSError as exc:
        return SheetIntake(exercise.id, "unreadable",
                           f"{path.name} could not be read ({exc.strerror or exc})")
    if len(data) > SHEET_BYTES:
        return SheetIntake(exercise.id, "unreadable",
                           f"{path.name} is larger than {SHEET_BYTES // 2**20} MiB")
    text = data.decode("utf-8", errors="replace")
    answers = read_answer_sheet(text, [q.label for q in written_questions(exercise.id)])
    return SheetIntake(exercise.id, "ok", answers=tuple(answers.items()))


def _sheets_in(src: Path, course: Course) -> dict[str, SheetIntake]:
    """Each written exercise's answer sheet found in a handed-in folder (the shallowest, then
    the first by path: a student's sheet beside their modules beats a copy deeper down)."""
    out = {}
    for ex in course.exercises:
        if ex.kind != "written" or not ex.file:
            continue
        name = Path(ex.file).name
        found = sorted((p for p in src.rglob(name) if p.is_file() and not p.is_symlink()
                        and not any(part in _SKIPPED_DIRS for part in p.relative_to(src).parts)),
                       key=lambda p: (len(p.relative_to(src).parts), p.as_posix()))
        if found:
            out[ex.id] = read_sheet(found[0], ex)
    return out


def missing_notebook(exercise) -> NotebookIntake:
    return NotebookIntake(exercise.id, "missing",
                          f"{Path(exercise.notebook).name} is missing from your submission")


def read_notebook_intake(directory: Path) -> dict[str, NotebookIntake] | None:
    """What :func:`materialise` wrote about a materialised submission's notebooks (None: nothing)."""
    try:
        data = json.loads((Path(directory) / NOTEBOOKS_FILE).read_text(encoding="utf-8"))
        return {k: NotebookIntake(k, str(v[0]), str(v[1]), tuple(map(str, v[2])),
                                  tuple((str(a[0]), str(a[1])) for a in (v[3] if len(v) > 3 else ())))
                for k, v in data.items()}
    except (OSError, ValueError, TypeError, IndexError, AttributeError):
        return None


def _write_notebook_module(notebook: Path, dest: Path, exercise) -> NotebookIntake:
    """The notebook's imports, definitions and constants as ``dest/<module>.py`` (read here as
    text: nothing of it runs outside the sandbox's worker)."""
    from .lab.notebook import (NotebookError, extract_definitions, module_source, read_notebook,
                               written_answers)
    from .written import written_questions

    try:
        if notebook.stat().st_size > MAX_FILE_BYTES:
            return NotebookIntake(exercise.id, "unreadable",
                                  f"{notebook.name} is larger than {MAX_FILE_BYTES // 2**20} MiB "
                                  "(clear its outputs before handing it in)")
        nb = read_notebook(notebook.read_bytes())
        code = extract_definitions(nb)
        answers = written_answers(nb, [q.label for q in written_questions(exercise.id)])
    except NotebookError as exc:
        return NotebookIntake(exercise.id, "unreadable", f"{notebook.name}: {exc}")
    except OSError as exc:
        return NotebookIntake(exercise.id, "unreadable",
                              f"{notebook.name} could not be read ({exc.strerror or exc})")
    (dest / f"{exercise.module}.py").write_text(module_source(code, notebook.name), encoding="utf-8")
    return NotebookIntake(exercise.id, "ok", notes=tuple(code.problems), answers=tuple(answers.items()))


def _notebooks_in(src: Path, dest: Path, course: Course) -> dict[str, NotebookIntake]:
    """Each notebook exercise's notebook found anywhere in a handed-in folder (first by path)."""
    out = {}
    for ex in course.exercises:
        if not ex.is_notebook:
            continue
        name = Path(ex.notebook).name
        found = sorted(p for p in src.rglob(name) if p.is_file() and not p.is_symlink()
                       and not any(part in _SKIPPED_DIRS for part in p.relative_to(src).parts))
        if found:
            out[ex.id] = _write_notebook_module(found[0], dest, ex)
    return out


# -- single files --------------------------------------------------------------------------

def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SubmissionProblem(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MiB; "
                                "a submission is a few small source files.")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionProblem(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                "save it as UTF-8 and submit again.") from None


def _from_source(code: str, dest: Path, course: Course, kind: str) -> Materialised:
    if not code.strip():
        raise SubmissionProblem("The submitted file contains no code.")
    for module in course.modules:
        (dest / f"{module}.py").write_text(code, encoding="utf-8")
    return Materialised(dest, kind, found=list(course.modules))


# Lines IPython understands but Python does not: line magics (%timeit), cell magics (%%time),
# shell escapes (!pip install ...), and help lookups (np.mean?). They are tools for the notebook
# session, never part of the answer, so they are dropped rather than translated into
# get_ipython() calls that would fail outside IPython.
_IPYTHON_LINE = re.compile(r"^\s*(%|!|\?)|^\s*[\w.]+\?\??\s*$")


def notebook_code(path: Path) -> str:
    """The code cells of a notebook, in order, magics and shell lines removed."""
    text = _read_text(path)
    cells = _v4_cells(text)
    if cells is None:
        cells = _nbformat_cells(path, text)
    code = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        if not isinstance(source, str) or source.lstrip().startswith("%%"):
            continue  # a whole cell handed to a cell magic (%%bash, %%timeit) is not Python
        lines = [line for line in source.splitlines() if not _IPYTHON_LINE.match(line)]
        code.append("\n".join(lines))
    return "\n\n".join(code) + "\n"


def _v4_cells(text: str) -> list[dict] | None:
    """The cells of a plain nbformat-4 notebook read as JSON, or None to ask nbformat.

    Reading the code cells of today's notebooks needs only JSON; nbformat's import and schema
    validation cost about 0.1 s, a fifth of grading a notebook, so it is kept for the rest
    (older formats it converts, files it must judge).
    """
    try:
        nb = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        return None
    if not all(isinstance(c, dict) and isinstance(c.get("source", ""), (str, list))
               for c in nb["cells"]):
        return None
    return nb["cells"]


def _nbformat_cells(path: Path, text: str) -> list:
    try:
        import nbformat
    except ImportError:  # pragma: no cover - nbformat is a dependency
        raise SubmissionProblem("Notebooks cannot be graded here: the nbformat package is missing.")
    try:
        with warnings.catch_warnings():
            # Notebooks from older Jupyter lack cell ids; that is no fault of the student's.
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for a broken file
        try:
            json.loads(text)
        except json.JSONDecodeError as jexc:
            raise SubmissionProblem(
                f"{path.name} is not a valid notebook: it is not valid JSON ({jexc.msg} at line "
                f"{jexc.lineno}, column {jexc.colno}). Download the notebook again from Jupyter "
                "(File > Download) rather than editing it as text.") from None
        raise SubmissionProblem(f"{path.name} is not a valid notebook ({type(exc).__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else ''}).") from None
    return nb.cells


# -- directories -----------------------------------------------------------------------------

def _find_module_dir(root: Path, course: Course) -> Path | None:
    """The folder under ``root`` that holds the most course modules (shallowest on a tie)."""
    best: tuple[int, int, str] | None = None
    best_dir: Path | None = None
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        names = {e.name for e in entries if e.is_file() and not e.is_symlink()}
        count = sum(f"{m}.py" in names for m in course.modules)
        if count:
            key = (-count, depth, str(folder))
            if best is None or key < best:
                best, best_dir = key, folder
        if depth < MAX_SEARCH_DEPTH:
            stack.extend((e, depth + 1) for e in entries
                         if e.is_dir() and not e.is_symlink() and e.name not in _SKIPPED_DIRS
                         and not e.name.startswith("."))
    return best_dir


def _zip_inside(root: Path) -> Path | None:
    """The one zip file in ``root``'s tree (as deep as modules are looked for), or None; several
    are refused (which one would be the submission?)."""
    found = []
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink() or entry.name.startswith("."):
                continue
            if entry.is_file() and entry.suffix.lower() == ".zip":
                found.append(entry)
            elif entry.is_dir() and depth < MAX_SEARCH_DEPTH and entry.name not in _SKIPPED_DIRS:
                stack.append((entry, depth + 1))
    if len(found) > 1:
        names = ", ".join(sorted(p.relative_to(root).as_posix() for p in found))
        raise SubmissionProblem(f"No course module was found in the submission, and it holds "
                                f"several zip files ({names}); hand in one zip, or the .py files.")
    return found[0] if found else None


def _from_directory(src: Path, dest: Path, course: Course, kind: str,
                    zips_left: int = 1) -> Materialised:
    folder = _find_module_dir(src, course)
    notebooks = _notebooks_in(src, dest, course)
    written = _sheets_in(src, course)
    if folder is None and (notebooks or written):
        return Materialised(dest, kind, notebooks=notebooks, written=written)
    if folder is None and zips_left > 0:
        inner = _zip_inside(src)
        if inner is not None:
            result = _from_zip(inner, dest, course, zips_left=zips_left - 1)
            result.notes.insert(0, f"unpacked {inner.relative_to(src).as_posix()}")
            return result
    if folder is None:
        expected = ", ".join(f"{m}.py" for m in course.modules)
        raise SubmissionProblem(f"No course module was found in the submission; expected files "
                                f"named {expected}.")
    found = []
    for module in course.modules:
        file = folder / f"{module}.py"
        if file.is_file() and not file.is_symlink():
            (dest / file.name).write_text(_read_text(file), encoding="utf-8")
            found.append(module)
    # Helper modules a student imports from their own files travel along (never links, never
    # anything big): the grader copies .py files only, so data files cannot be smuggled in.
    notebook_modules = {f"{ex.module}.py" for ex in course.exercises if ex.is_notebook}
    for extra in sorted(folder.glob("*.py")):
        target = dest / extra.name
        if extra.name in notebook_modules:
            continue   # a notebook exercise is graded on its notebook, never on a .py of that name
        if not target.exists() and extra.is_file() and not extra.is_symlink():
            target.write_text(_read_text(extra), encoding="utf-8")
    notes = []
    if folder != src:
        notes.append(f"modules found in {folder.relative_to(src).as_posix()}/")
    return Materialised(dest, kind, found=found, notes=notes, notebooks=notebooks, written=written)


def _write_placeholders(result: Materialised, course: Course) -> None:
    result.missing = [m for m in course.modules if m not in result.found]
    for module in result.missing:
        message = (f"{module}.py is missing from your submission; hand it in with the other "
                   "modules to be graded on its exercises")
        (result.directory / f"{module}.py").write_text(
            PLACEHOLDER_MARK + f"raise ImportError({message!r})\n", encoding="utf-8")


# -- zips ------------------------------------------------------------------------------------

def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode)


def _check_zip_entries(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse the whole archive if one entry is unsafe: a half-extracted zip grades nothing well."""
    if not infos:
        raise SubmissionProblem(f"{name} is an empty zip file: it contains no files.")
    if len(infos) > MAX_ZIP_ENTRIES:
        raise SubmissionProblem(f"{name} holds {len(infos)} entries; at most {MAX_ZIP_ENTRIES} "
                                "are accepted.")
    total = 0
    for info in infos:
        entry = info.filename
        posix = PurePosixPath(entry.replace("\\", "/"))
        if entry.startswith(("/", "\\")) or posix.is_absolute() or re.match(r"^[A-Za-z]:", entry):
            raise SubmissionProblem(f"{name} was refused: the entry {entry!r} has an absolute path.")
        if ".." in posix.parts:
            raise SubmissionProblem(f"{name} was refused: the entry {entry!r} points outside the "
                                    "archive (it contains '..').")
        if _is_link(info):
            raise SubmissionProblem(f"{name} was refused: the entry {entry!r} is a symbolic link.")
        if info.flag_bits & 0x1:
            raise SubmissionProblem(f"{name} was refused: the entry {entry!r} is encrypted.")
        if (info.file_size > RATIO_FLOOR_BYTES
                and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
            raise SubmissionProblem(f"{name} was refused: the entry {entry!r} is compressed more "
                                    f"than {MAX_COMPRESSION_RATIO}:1 (a zip bomb?).")
        if info.file_size > MAX_FILE_BYTES:
            raise SubmissionProblem(f"{name} was refused: the entry {entry!r} is larger than "
                                    f"{MAX_FILE_BYTES // 2**20} MiB.")
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise SubmissionProblem(f"{name} was refused: it unpacks to more than "
                                    f"{MAX_UNPACKED_BYTES // 2**20} MiB.")


def _open_zip(src: Path) -> zipfile.ZipFile | None:
    """``src`` opened as a zip archive, or None when it is not one."""
    try:
        return zipfile.ZipFile(src)
    except zipfile.BadZipFile:
        return None


def _from_zip(src: Path, dest: Path, course: Course, zips_left: int = 1,
              archive: zipfile.ZipFile | None = None) -> Materialised:
    # Hand-written rather than ZipFile.extractall: extractall silently rewrites unsafe names and
    # trusts the sizes the archive declares; we refuse unsafe archives with a reason and count
    # the bytes actually inflated, since a forged header can understate them.
    if archive is None:
        archive = _open_zip(src)
    if archive is None:
        raise SubmissionProblem(f"{src.name} is not a valid zip file (it may be truncated); "
                                "zip your files again and submit.")
    # A directory of its own: a zip inside this one is unpacked beside it.
    unpacked = Path(tempfile.mkdtemp(prefix=dest.name + "-unzipped-", dir=dest.parent))
    try:
        with archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            _check_zip_entries(infos, src.name)
            budget = MAX_UNPACKED_BYTES
            for info in infos:
                parts = PurePosixPath(info.filename.replace("\\", "/")).parts
                if any(p in _SKIPPED_DIRS for p in parts):
                    continue
                target = unpacked.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with archive.open(info) as fin, open(target, "wb") as fout:
                        written = 0
                        while chunk := fin.read(64 * 1024):
                            written += len(chunk)
                            budget -= len(chunk)
                            if written > MAX_FILE_BYTES or budget < 0:
                                raise SubmissionProblem(
                                    f"{src.name} was refused: it unpacks to more than it declares "
                                    f"(a zip bomb?).")
                            fout.write(chunk)
                except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                    raise SubmissionProblem(f"{src.name} could not be unpacked: {info.filename!r} "
                                            f"is damaged ({exc}).") from None
        result = _from_directory(unpacked, dest, course, kind="zip", zips_left=zips_left)
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
    return result
