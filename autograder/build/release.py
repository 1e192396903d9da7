"""``autograder build``: stubs, the student zip, the Gradescope zip, a manifest, and templates.

    build(root, out)  ->  out/student.zip       what a student clones or downloads
                          out/autograder.zip    Gradescope's autograder (setup.sh, run_autograder)
                          out/manifest.json     members with sha256, engine version, inputs' hash
                          out/templates/...     the instructor's CI workflow

Every zip is byte-reproducible (:mod:`.reproducible`), the student zip holds only allowlisted
files (:mod:`.layout`) and is refused if the leak check (:mod:`.leaks`) finds a secret in it.

Other parts of the course add files to an artifact through a *producer*: a function of the
:class:`BuildContext` returning :class:`~.reproducible.Member` objects, registered with
:func:`student_producer` / :func:`autograder_producer` in a module listed in
:data:`PRODUCER_MODULES` (imported before each build). What a student producer returns goes
through the same leak check (notebook code cells included). The Keras lab, for instance, adds
``"autograder.lab.release"`` to :data:`PRODUCER_MODULES` and writes there::

    from autograder.build.release import Member, student_producer

    @student_producer("lab-notebook")
    def student_notebook(ctx):
        source = ctx.secret("lab/lab_solution.ipynb")      # read, and declared secret
        return [Member("lab/lab.ipynb", strip_solutions(source))]

``ctx.secret`` makes the leak check refuse any student file holding that notebook's bytes or a
function body of its code cells, so a stripping bug cannot ship the answers.
"""

from __future__ import annotations

import ast
import hashlib
import re
import sys
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Callable, Iterable

from ..course import Course, load_course
from ..stubs import expected_stubs
from . import layout
from .leaks import SecretIndex, check_leaks
from .manifest import manifest_json
from .reproducible import EXEC_MODE, FILE_MODE, Member, source_date_epoch, zip_bytes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).with_name("templates")
#: Modules whose import registers producers (the Keras lab adds "autograder.lab.release" here).
# autograder.variants.release: the course salt for Gradescope's autograder.zip (when configured)
# autograder.build.predictions: the reference's calls, for the Gradescope grader to send ahead
PRODUCER_MODULES: list[str] = ["autograder.build.notebooks", "autograder.variants.release",
                               "autograder.build.predictions"]
#: Runtime dependencies a student may not need (sympy derives the ground truth, nbformat reads
#: submitted notebooks): left out of the student pyproject unless a shipped file imports them
#: (an exercise may use sympy itself).
GRADER_ONLY_DEPENDENCIES = ("sympy", "nbformat")
#: Tools of the dev extra that students use themselves, shipped when a shipped file imports them
#: (pytest runs their tests, watchfiles drives `autograder watch`). matplotlib, imported only by
#: the HTML report students do not make, is not one.
STUDENT_TOOLS = ("pytest", "watchfiles")
INSTRUCTOR_WORKFLOW = "templates/instructor/.github/workflows/grade-submissions.yml"


class BuildError(Exception):
    """The build cannot produce a release; the message says why and what to do."""


@dataclass
class BuildContext:
    """What a producer gets: the checkout, the build's timestamp, the course, and a reader."""
    root: Path
    epoch: int
    course: Course
    inputs: dict[str, bytes] = field(default_factory=dict)
    secrets: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    skip: frozenset[str] = frozenset()     # producers left out of this build (by name)

    def secret(self, rel: str, kind: str = "solution") -> bytes:
        """Read a file students must never see (a lab's solution notebook): the leak check then
        refuses any student member holding its bytes or a function body of its code."""
        data = self.read(rel)
        self.secrets[rel] = (kind, data)
        return data

    def read(self, rel: str) -> bytes:
        """A file of the checkout, recorded as a build input (for the manifest's hash)."""
        data = (self.root / rel).read_bytes()
        self.inputs[rel] = data
        return data

    def member(self, rel: str, mode: int = FILE_MODE) -> Member:
        return Member(rel, self.read(rel), mode)


Producer = Callable[[BuildContext], Iterable[Member]]
STUDENT_PRODUCERS: dict[str, Producer] = {}
AUTOGRADER_PRODUCERS: dict[str, Producer] = {}


def student_producer(name: str) -> Callable[[Producer], Producer]:
    """Register a function adding files to ``student.zip`` (leak-checked like every member)."""
    def register(fn: Producer) -> Producer:
        STUDENT_PRODUCERS[name] = fn
        return fn
    return register


def autograder_producer(name: str) -> Callable[[Producer], Producer]:
    """Register a function adding files to ``autograder.zip``."""
    def register(fn: Producer) -> Producer:
        AUTOGRADER_PRODUCERS[name] = fn
        return fn
    return register


@dataclass
class BuildReport:
    out: Path
    artifacts: dict[str, Path]
    sizes: dict[str, int]
    rewritten_stubs: list[str]
    epoch: int


def _template(name: str, **values: str) -> bytes:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.encode("utf-8")


def _engine_version(ctx: BuildContext) -> str:
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', ctx.read("autograder/__init__.py").decode(), re.M)
    return match.group(1) if match else "0"


def _imports(members: list[Member]) -> set[str]:
    """Top-level names of every module the Python files among ``members`` import."""
    names: set[str] = set()
    for member in members:
        if not member.path.endswith(".py"):
            continue
        try:
            tree = ast.parse(member.data.decode("utf-8", "replace"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def _student_dependencies(ctx: BuildContext, members: list[Member]) -> list[str]:
    """What a student installs: the course's runtime dependencies (less grader-only ones no
    shipped file imports) and the dev tools shipped files import (pytest, watchfiles...)."""
    project = tomllib.loads(ctx.read("pyproject.toml").decode("utf-8"))["project"]
    name = lambda req: re.match(r"[A-Za-z0-9_.\-]+", req).group(0).lower()  # noqa: E731
    imported = {n.lower() for n in _imports(members)}
    deps = [d for d in project.get("dependencies", [])
            if name(d) not in GRADER_ONLY_DEPENDENCIES or name(d) in imported]
    have = {name(d) for d in deps}
    # The students run pytest (and watch their files) themselves: tools of theirs, not dev extras.
    for dev in project.get("optional-dependencies", {}).get("dev", []):
        if name(dev) in STUDENT_TOOLS and name(dev) in imported and name(dev) not in have:
            deps.append(dev)
            have.add(name(dev))
    return deps


#: What a student needs beyond the course's own ``lab`` extra: something to open the notebook in
#: (the instructor's checkout runs the notebook headless, with nbclient, and needs no Jupyter).
STUDENT_LAB_EXTRAS = ("jupyterlab>=4",)


def _lab_parts(ctx: BuildContext) -> tuple[str, str]:
    """The student pyproject's ``lab`` extra and the README's lab section, when a notebook ships."""
    notebooks = [ex.notebook for ex in ctx.course.exercises if getattr(ex, "notebook", "")]
    if not notebooks or "notebooks" in ctx.skip:
        return "", ""
    project = tomllib.loads(ctx.read("pyproject.toml").decode("utf-8"))["project"]
    lab = [*project.get("optional-dependencies", {}).get("lab", []), *STUDENT_LAB_EXTRAS]
    optional = ("[project.optional-dependencies]\n# The notebook exercise: python -m pip install -e \".[lab]\"\n"
                "lab = [\n" + "".join(f'    "{d}",\n' for d in lab) + "]\n\n")
    names = ", ".join(f"`{n}`" for n in notebooks)
    section = (f"## The notebook lab\n\n{names} is a Jupyter notebook. It needs TensorFlow, "
               "otter-grader and JupyterLab (a larger download), all in the `lab` extra; then "
               "open it in JupyterLab (or in VS Code, from this folder):\n\n```sh\n"
               "python -m pip install -e \".[lab]\"\n"
               + "".join(f"jupyter lab {n}\n" for n in notebooks) +
               "```\n\nFill in the parts marked `...` and run its `grader.check(...)` cells for "
               "the public checks.\n\n")
    return optional, section


def _written_section(course: Course) -> str:
    """The student README's paragraph on the written questions (none without a written exercise)."""
    sheets = [ex.file for ex in course.exercises if ex.kind == "written" and ex.file]
    if not sheets:
        return ""
    return ("## Written questions\n\n" + ", ".join(f"`{s}`" for s in sheets) +
            " holds questions you answer in words. Write each answer under its question's "
            "**Answer:** line, keep the file's name and its `## Question N` headings, and hand it "
            "in with your modules. Your instructor grades these answers by hand: their points are "
            "not part of the automatic score, and the tests do not check them.\n\n")


def _stubs(ctx: BuildContext, write: bool) -> tuple[list[Member], list[str]]:
    """The generated stubs as members; rewrite ``assignments/`` with them when ``write``."""
    members, drift = [], []
    for path, text in sorted(expected_stubs(ctx.root).items()):
        rel = path.relative_to(ctx.root).as_posix()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            drift.append(rel)
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        members.append(Member(rel, text.encode("utf-8")))
    for src in sorted((ctx.root / ctx.course.reference_package).glob("*.py")):
        ctx.read(src.relative_to(ctx.root).as_posix())
    ctx.read("autograder/course.toml")
    if drift and not write:
        raise BuildError(f"{', '.join(drift)} differ from the stubs of the solutions: run "
                         "`autograder build --stubs` (or `python -m autograder.stubs`) and commit")
    return members, drift


def _run_producers(producers: dict[str, Producer], ctx: BuildContext) -> list[Member]:
    members = []
    for name, fn in sorted(producers.items()):
        if name in ctx.skip:
            continue
        try:
            members.extend(fn(ctx))
        except BuildError:
            raise
        except Exception as exc:  # noqa: BLE001 - name the producer that failed
            raise BuildError(f"the build step {name!r} failed: {type(exc).__name__}: {exc}") from exc
    return members


def student_members(ctx: BuildContext, stubs: list[Member],
                    producers: dict[str, Producer]) -> list[Member]:
    public = layout.tree_files(ctx.root, "tests/public")
    closure = layout.student_engine_closure(ctx.root, [p for p in public if p.endswith(".py")])
    forbidden = [(f, closure.reached_from[f]) for f in closure.files
                 for pkg in layout.STUDENT_FORBIDDEN_PACKAGES
                 if f.startswith(pkg.replace(".", "/") + "/") or f == pkg.replace(".", "/") + ".py"]
    if forbidden:
        raise BuildError("the student release would need grader-only code: " + "; ".join(
            f"{f} (imported by {why})" for f, why in forbidden))
    course = ctx.course
    members = list(stubs)
    members += [ctx.member(p) for p in public]
    members += [ctx.member(p) for p in closure.files]
    members += [ctx.member(p) for p in layout.STUDENT_ENGINE_DATA]
    version = _engine_version(ctx)
    deps = "\n".join(f'    "{d}",' for d in _student_dependencies(ctx, members))
    project = tomllib.loads(ctx.inputs["pyproject.toml"].decode("utf-8"))["project"]["name"]
    optional, lab_section = _lab_parts(ctx)
    members += [
        Member("README.md", _template("student/README.md", course_name=course.name,
                                      lab_section=lab_section,
                                      written_section=_written_section(course))),
        Member("pyproject.toml", _template("student/pyproject.toml", course_name=course.name,
                                           project_name=f"{project}-student", version=version,
                                           dependencies=deps, optional_dependencies=optional)),
        Member("conftest.py", _template("student/conftest.py")),
        Member(".gitignore", _template("student/gitignore")),
        Member(".github/workflows/classroom.yml", _template("student/.github/workflows/classroom.yml")),
    ]
    members += _run_producers(producers, ctx)
    return members


def autograder_members(ctx: BuildContext, producers: dict[str, Producer]) -> list[Member]:
    # A notebook exercise (the Keras lab) is graded with the lab extra's TensorFlow.
    extras = "[lab]" if any(getattr(ex, "notebook", "") for ex in ctx.course.exercises) else ""
    members = [Member("setup.sh", _template("gradescope/setup.sh", extras=extras), EXEC_MODE),
               Member("run_autograder", _template("gradescope/run_autograder"), EXEC_MODE)]
    for tree in layout.AUTOGRADER_TREES:
        members += [ctx.member(p) for p in layout.tree_files(ctx.root, tree)]
    members += [ctx.member(p) for p in layout.AUTOGRADER_FILES if (ctx.root / p).is_file()]
    members += _run_producers(producers, ctx)
    return members


def _written_secrets(ctx: BuildContext, secrets: SecretIndex) -> None:
    """The written questions' marking guide and reference answers, as secret prose: the leak
    check refuses a student member holding any clause of either (the student's answer sheet is
    generated from the prompts alone)."""
    from ..written import QUESTIONS_FILE, module_questions, read_answer_sheet

    guide = ctx.root / "autograder" / QUESTIONS_FILE.name
    if not guide.is_file():
        return
    rel = guide.relative_to(ctx.root).as_posix()
    secrets.add(rel, "marking guide", ctx.read(rel))        # its bytes, under any name
    exercise, questions = module_questions(guide)
    secrets.add_phrases("marking guide", rel, [entry for q in questions for entry in q.guide])
    for ex in ctx.course.exercises:
        reference = ctx.root / ctx.course.reference_package / Path(ex.file).name
        if ex.id == exercise and reference.is_file():
            answers = read_answer_sheet(reference.read_text(encoding="utf-8"), [q.label for q in questions])
            secrets.add_phrases("reference answer", reference.relative_to(ctx.root).as_posix(),
                                answers.values())


def load_producers() -> None:
    for module in PRODUCER_MODULES:
        import_module(module)


def build(root: Path = ROOT, out: Path | None = None, *, write_stubs: bool = False,
          epoch: int | None = None, student_producers: dict[str, Producer] | None = None,
          autograder_producers: dict[str, Producer] | None = None,
          skip: Iterable[str] = ()) -> BuildReport:
    """Build every artifact of the course checkout at ``root`` into ``out`` (default root/dist).

    ``skip`` names producers to leave out (``"notebooks"``: the lab's student notebook, whose
    build needs otter-grader); the manifest lists them, so a partial release says it is one.
    """
    root = Path(root).resolve()
    out = Path(out) if out is not None else root / "dist"
    manifest = root / "autograder" / "course.toml"
    course = load_course(manifest) if manifest.is_file() else load_course()
    load_producers()
    ctx = BuildContext(root, source_date_epoch(root, epoch), course, skip=frozenset(skip))
    stubs, drift = _stubs(ctx, write_stubs)
    for exercise in course.exercises:
        # A notebook exercise's source holds its solutions, whoever builds the student copy.
        notebook = getattr(exercise, "notebook", "")
        if notebook and (root / notebook).is_file():
            ctx.secret(notebook)

    student = student_members(ctx, stubs, {**STUDENT_PRODUCERS, **(student_producers or {})})
    functions = {fn for ex in course.exercises for fn in ex.functions}
    secrets = SecretIndex(root, functions,
                          frozenset(hashlib.sha256(m.data).hexdigest() for m in stubs), ctx.secrets)
    ctx.inputs.update(secrets.inputs)
    _written_secrets(ctx, secrets)
    check_leaks(student, secrets)
    # Per-student variants: the course salt is a secret that is no file of the checkout.
    from ..variants.release import check_salt_leaks
    check_salt_leaks(student)
    grader = autograder_members(ctx, {**AUTOGRADER_PRODUCERS, **(autograder_producers or {})})

    artifacts = {"student.zip": student, "autograder.zip": grader}
    blobs = {name: zip_bytes(members, ctx.epoch) for name, members in artifacts.items()}
    extra = {INSTRUCTOR_WORKFLOW: (TEMPLATES / "instructor/.github/workflows/grade-submissions.yml").read_bytes()}
    for rel in sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file()):
        ctx.inputs[f"autograder/build/templates/{rel}"] = (TEMPLATES / rel).read_bytes()
    manifest_text = manifest_json(
        engine_version=_engine_version(ctx), epoch=ctx.epoch, inputs=ctx.inputs,
        artifacts={name: (blobs[name], artifacts[name]) for name in artifacts}, extra=extra,
        skipped=sorted(ctx.skip))

    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, data in [*blobs.items(), *extra.items(), ("manifest.json", manifest_text.encode())]:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written[name] = path
    return BuildReport(out, written, {n: p.stat().st_size for n, p in written.items()}, drift, ctx.epoch)
