"""Rehearse a GitHub Actions job on this machine: its ``run:`` steps, in order, for real.

actionlint proves a workflow is well formed; only running its commands proves they work. A
rehearsal runs one job the way a runner would:

* a **workspace** (``GITHUB_WORKSPACE``) the test prepares (a fresh clone, a student's
  repository...), and the runner's files (``GITHUB_OUTPUT``, ``GITHUB_ENV``, ``GITHUB_PATH``,
  ``GITHUB_STEP_SUMMARY``, ``RUNNER_TEMP``...) as temporary files, read back between steps as the
  runner reads them (outputs become ``steps.<id>.outputs``, ``GITHUB_ENV`` the next steps' env);
* each ``run:`` script through ``bash -e`` with the step's, job's and workflow's ``env:`` and
  ``${{ }}`` expressions evaluated (:func:`evaluate`: the contexts and operators the project's
  workflows use), ``if:`` conditions included (``always()``, ``failure()``, comparisons);
* a ``uses:`` step is not run (it needs GitHub's services): its inputs are checked by the
  handler the test registers for that action, which also does what the runner-side effect is
  (``actions/checkout`` clones, ``actions/setup-python`` makes a fresh virtual environment);
* a step that needs a GPU or the network is skipped with its reason, and the reason must name
  something in the step's own text that needs one (so a step cannot be skipped for convenience).

**Packages, offline.** Only the package index is reachable here, and installing TensorFlow again
would take minutes. So the rehearsal stands in for the index: before a step runs ``pip install``,
the requirements it names (a project's ``[project]`` dependencies with the extras asked for, or
plain requirement strings), with their whole dependency closure, are hard-linked from the test's
own environment into the fresh environment setup-python made (``PIP_NO_INDEX`` keeps pip off
the network; build isolation, which would fetch setuptools, is off; pip then finds every
requirement met and installs the project itself). A package the command does not ask for is not
there, so a workflow that installs too little fails here as it would on GitHub.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: What setup-python's interpreter (or a runner's python3) comes with: pip, and what builds
#: a project without fetching anything (build isolation is off here).
BASELINE = ("pip", "setuptools", "wheel")
#: Words in a step that make it need a GPU or the network: a skip must name one of them.
NEEDS = {"a GPU": ("nvidia-smi", "--device gpu", "-m gpu", "[and-cuda]", "GPU"),
         "the network": ("pip install", "apt-get", "curl ", "wget ")}


# --------------------------------------------------------------------------- expressions

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)"
                    r"|(?P<op>\|\||&&|==|!=|<=|>=|[!()<>,\[\]])"
                    r"|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_*][A-Za-z0-9_\-]*)*))")


class ExpressionError(ValueError):
    """An expression this rehearsal cannot evaluate (it says which)."""


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", 0)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value.strip() or 0) if isinstance(value, str) else float("nan")
    except ValueError:
        return float("nan")


def _loose_equal(left: Any, right: Any) -> bool:
    """GitHub's ``==``: strings case-insensitively; values of different types as numbers
    (so ``null == ''`` is true: a missing output equals the empty string)."""
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if type(left) is type(right) or (isinstance(left, (int, float)) and isinstance(right, (int, float))
                                     and not isinstance(left, bool) and not isinstance(right, bool)):
        return left == right
    return _number(left) == _number(right)


def evaluate(expr: str, context: dict, status: str = "success") -> Any:
    """The value of a GitHub Actions expression (without ``${{ }}``) in ``context``.

    ``status`` is the job's state so far ("success" or "failure"), for the status functions.
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"cannot read {expr[pos:]!r} in {expr!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    tokens.append(("end", ""))
    i = 0

    def peek() -> tuple[str, str]:
        return tokens[i]

    def take(value: str | None = None) -> tuple[str, str]:
        nonlocal i
        tok = tokens[i]
        if value is not None and tok[1] != value:
            raise ExpressionError(f"expected {value!r} in {expr!r}")
        i += 1
        return tok

    def or_() -> Any:
        left = and_()
        while peek()[1] == "||":
            take()
            right = and_()
            left = left if _truthy(left) else right
        return left

    def and_() -> Any:
        left = cmp()
        while peek()[1] == "&&":
            take()
            right = cmp()
            left = right if _truthy(left) else left
        return left

    def cmp() -> Any:
        left = unary()
        if peek()[1] in ("==", "!="):
            op = take()[1]
            right = unary()
            same = _loose_equal(left, right)
            return same if op == "==" else not same
        return left

    def unary() -> Any:
        if peek()[1] == "!":
            take()
            return not _truthy(unary())
        return primary()

    def primary() -> Any:
        kind, value = take()
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value) if "." in value else int(value)
        if value == "(":
            inner = or_()
            take(")")
            return inner
        if kind != "name":
            raise ExpressionError(f"unexpected {value!r} in {expr!r}")
        if value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value]
        if peek()[1] == "(":
            take("(")
            args = []
            while peek()[1] != ")":
                args.append(or_())
                if peek()[1] == ",":
                    take()
            take(")")
            return call(value, args)
        found: Any = context
        for part in value.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return found

    def call(name: str, args: list) -> Any:
        fn = name.lower()
        if fn == "always":
            return True
        if fn == "success":
            return status == "success"
        if fn == "failure":
            return status == "failure"
        if fn == "cancelled":
            return False
        if fn == "fromjson":
            return json.loads(args[0])
        if fn == "tojson":
            return json.dumps(args[0])
        if fn == "contains":
            return _text(args[1]).lower() in _text(args[0]).lower() if not isinstance(args[0], list) \
                else args[1] in args[0]
        raise ExpressionError(f"the function {name}() is not rehearsed")

    result = or_()
    if peek()[0] != "end":
        raise ExpressionError(f"trailing {peek()[1]!r} in {expr!r}")
    return result


def substitute(text: str, context: dict) -> str:
    """``text`` with every ``${{ expr }}`` replaced by its value, as the runner does."""
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _text(evaluate(m.group(1), context)), str(text))


# --------------------------------------------------------------------------- packages

def _installed(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def closure(requirements: list[str], exclude: frozenset[str] = frozenset()) -> tuple[dict, list[str]]:
    """The installed distributions ``requirements`` need, transitively (markers evaluated for
    this interpreter and the extras asked for), and the requirements nothing installed meets."""
    found: dict[str, metadata.Distribution] = {}
    extras_done: dict[str, set[str]] = {}
    missing: list[str] = []
    queue = [(Requirement(r), "") for r in requirements]
    while queue:
        req, extra = queue.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        if name in exclude:
            continue
        dist = found.get(name) or _installed(req.name)
        if dist is None:
            missing.append(str(req))
            continue
        new = ({""} | set(req.extras)) - extras_done.setdefault(name, set())
        found[name] = dist
        extras_done[name] |= new
        for line in dist.requires or []:
            sub = Requirement(line)
            for e in new:
                queue.append((sub, e))
    return found, sorted(set(missing))


@dataclass
class Packages:
    """The stand-in for the package index: distributions of this environment, linked (hard
    links: real folders, as an install makes them) into a fresh environment's site-packages."""
    site: Path                     # the fresh environment's site-packages
    bin: Path                      # its scripts' folder
    project: str                   # the course's own distribution: always installed from source
    linked: set[str] = field(default_factory=set)

    def provide(self, requirements: list[str]) -> list[str]:
        """Link what ``requirements`` need; return the ones nothing installed here meets."""
        dists, missing = closure(requirements, frozenset({canonicalize_name(self.project)}))
        for name, dist in sorted(dists.items()):
            if name not in self.linked:
                self._link(dist)
                self.linked.add(name)
        return missing

    def _link(self, dist: metadata.Distribution) -> None:
        site = Path(dist.locate_file(""))
        tops: set[str] = set()
        for f in dist.files or []:
            parts = Path(f).parts
            if parts[0] == "..":
                if "bin" in parts:
                    self._script(Path(dist.locate_file(f)).resolve())
                continue
            tops.add(parts[0])
        if not dist.files:
            tops.add(Path(getattr(dist, "_path", site)).name)
            tops.update((dist.read_text("top_level.txt") or "").split())
        for top in sorted(tops):
            src, dst = site / top, self.site / top
            if not src.exists() and src.with_suffix(".py").exists():
                src, dst = src.with_suffix(".py"), dst.with_suffix(".py")
            if src.exists() and not dst.exists():
                # Hard links where the temporary folder shares the environment's file system;
                # a copy (slower, the same result) where it does not.
                linked = subprocess.run(["cp", "-al", str(src), str(dst)], capture_output=True)
                if linked.returncode != 0:
                    if dst.is_dir() and not dst.is_symlink():
                        shutil.rmtree(dst)
                    else:
                        dst.unlink(missing_ok=True)
                    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)

    def _script(self, src: Path) -> None:
        dst = self.bin / src.name
        if dst.exists() or not src.is_file():
            return
        data = src.read_bytes()
        if data.startswith(b"#!") and b"python" in data.split(b"\n", 1)[0]:
            # A console script: it runs the fresh environment's python, as pip would write it.
            dst.write_bytes(b"#!" + str(self.bin / "python").encode() + b"\n" + data.split(b"\n", 1)[1])
            dst.chmod(0o755)
        else:
            os.link(src, dst)


_PIP_INSTALL = re.compile(r"pip install ([^\n;&|]+)")


def pip_install_requirements(script: str, cwd: Path) -> list[str]:
    """The requirements each ``pip install`` of ``script`` asks for, projects read from their
    ``pyproject.toml`` (with the extras named), the way pip will read them."""
    wanted: list[str] = []
    for m in _PIP_INSTALL.finditer(script):
        for word in shlex.split(m.group(1), comments=True):
            if word.startswith("-"):
                continue
            path, _, extras = word.partition("[")
            extras = extras.rstrip("]")
            if path.startswith((".", "/")):
                project = tomllib.loads((cwd / path / "pyproject.toml").read_text())["project"]
                wanted += project.get("dependencies", [])
                for extra in filter(None, extras.split(",")):
                    wanted += project.get("optional-dependencies", {}).get(extra, [])
            else:
                wanted.append(word)
    return wanted


# --------------------------------------------------------------------------- the job

@dataclass
class Step:
    name: str
    kind: str            # "run", "uses" or "skipped"
    outcome: str         # "success", "failure" or "skipped"
    detail: str = ""     # the skip's reason, the action's check, or the output's tail
    seconds: float = 0.0


class StepFailed(AssertionError):
    pass


Action = Callable[["Rehearsal", dict, dict], str]   # (rehearsal, inputs, step) -> what it checked


@dataclass
class Rehearsal:
    """One job of a workflow, rehearsed in ``root`` (a temporary folder)."""
    workflow: Path
    root: Path
    workspace: Path
    project: str = "nnopt-course"
    actions: dict[str, Action] = field(default_factory=dict)
    skips: dict[str, str] = field(default_factory=dict)          # step name -> reason
    collect_only: dict[str, str] = field(default_factory=dict)   # step name -> reason
    context: dict = field(default_factory=dict)                  # inputs, matrix, secrets, github
    steps: list[Step] = field(default_factory=list)
    env: dict = field(default_factory=dict)
    path: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.spec = yaml.safe_load(self.workflow.read_text())
        self.files = self.root / "runner"
        self.files.mkdir(parents=True, exist_ok=True)
        self.packages: Packages | None = None      # made by setup_python
        self.path = ["/usr/local/bin", "/usr/bin", "/bin"]
        home = self.root / "home"
        home.mkdir(exist_ok=True)
        self.env = {
            "HOME": str(home), "LANG": "C.UTF-8", "CI": "true", "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace), "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self._dir("temp")), "RUNNER_TOOL_CACHE": str(self._dir("toolcache")),
            "GITHUB_REPOSITORY": "course-org/course", "GITHUB_REF": "refs/tags/v1.0.0",
            "GITHUB_SHA": "0" * 40, "GITHUB_EVENT_NAME": "workflow_dispatch",
            "GITHUB_RUN_ID": "1", "GITHUB_ACTOR": "student",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1",
        }
        for name in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"):
            self.env[name] = str(self.files / name.lower().replace("github_", ""))
            Path(self.env[name]).touch()
        self.context.setdefault("github", {}).setdefault("event", {}).setdefault("inputs", {})
        self.context["github"].setdefault("actor", "student")
        self.context["github"].setdefault("ref", self.env["GITHUB_REF"])
        self.env["GITHUB_ACTOR"] = self.context["github"]["actor"]
        self.context.setdefault("steps", {})
        self.context.setdefault("env", {})

    def _dir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def summary(self) -> str:
        return Path(self.env["GITHUB_STEP_SUMMARY"]).read_text()

    def job(self) -> tuple[str, dict]:
        jobs = self.spec["jobs"]
        assert len(jobs) == 1, f"{self.workflow.name}: rehearsals run single-job workflows"
        return next(iter(jobs.items()))

    def run(self) -> list[Step]:
        """Every step of the job, in order; a step that fails makes the job's status 'failure'
        and, as on GitHub, only steps whose ``if:`` asks for it run after that."""
        _, job = self.job()
        if "if" in job and not _truthy(evaluate(_bare(job["if"]), self.context)):
            raise StepFailed(f"the job's condition {job['if']!r} is false: nothing would run")
        self.context["env"] = {}
        for scope in (self.spec.get("env") or {}, job.get("env") or {}):
            for key, value in scope.items():
                self.context["env"][key] = substitute(value, self.context)
        status = "success"
        for index, raw in enumerate(job["steps"]):
            name = raw.get("name") or raw.get("uses") or raw["run"].splitlines()[0]
            condition = _bare(raw.get("if", "success()"))
            if not re.search(r"\b(always|success|failure|cancelled)\(", condition):
                condition = f"success() && ({condition})"
            if not _truthy(evaluate(condition, self.context, status)):
                self.steps.append(Step(name, "run" if "run" in raw else "uses", "skipped",
                                       f"if: {raw.get('if', 'success()')}"))
                continue
            step = self._step(name, raw)
            self.steps.append(step)
            if raw.get("id"):
                self.context["steps"].setdefault(raw["id"], {"outputs": {}})
                self.context["steps"][raw["id"]]["outcome"] = step.outcome
            if step.outcome == "failure" and not raw.get("continue-on-error"):
                status = "failure"
        return self.steps

    def _step(self, name: str, raw: dict) -> Step:
        if name in self.skips:
            reason = self.skips[name]
            text = json.dumps(raw) + json.dumps(self.job()[1].get("runs-on"))
            needs = [need for need, words in NEEDS.items() if need in reason]
            assert needs and any(w in text for need in needs for w in NEEDS[need]), \
                f"step {name!r} is skipped ({reason}) but nothing in it needs {reason}"
            return Step(name, "skipped", "skipped", reason)
        started = time.perf_counter()
        if "uses" in raw:
            action = raw["uses"].split("@")[0]
            assert action in self.actions, f"step {name!r}: no rehearsal knows {raw['uses']}"
            inputs = {k: substitute(v, self.context) for k, v in (raw.get("with") or {}).items()}
            detail = self.actions[action](self, inputs, raw)
            return Step(name, "uses", "success", detail, time.perf_counter() - started)
        return self._run(name, raw, started)

    def _run(self, name: str, raw: dict, started: float) -> Step:
        script = substitute(raw["run"], self.context)
        cwd = self.workspace / raw.get("working-directory", "")
        if name in self.collect_only:
            # The whole suite is the run this rehearsal is part of: collect it, run nothing.
            script = re.sub(r"(python -m pytest\b[^\n]*)", r"\1 --collect-only -q", script)
        wanted = pip_install_requirements(script, cwd)
        if wanted:
            assert self.packages, f"step {name!r} runs pip before any setup-python step"
            missing = self.packages.provide(wanted)
            assert not missing, f"step {name!r} installs what this environment lacks: {missing}"
        env = dict(self.env)
        env.update(self.context["env"])
        for key, value in (raw.get("env") or {}).items():
            env[key] = substitute(value, self.context)
        env.update(_read_env_file(Path(self.env["GITHUB_ENV"])))
        extra_path = Path(self.env["GITHUB_PATH"]).read_text().split()
        env["PATH"] = os.pathsep.join([*reversed(extra_path), *self.path])
        output = self.files / f"output-{len(self.steps)}"
        output.touch()
        env["GITHUB_OUTPUT"] = str(output)
        file = self.files / f"step-{len(self.steps)}.sh"
        file.write_text(script)
        proc = subprocess.run(["bash", "-e", str(file)], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=900)
        if raw.get("id"):
            self.context["steps"][raw["id"]] = {"outputs": _read_env_file(output)}
        tail = (proc.stdout + proc.stderr)[-4000:]
        note = f" (collected only: {self.collect_only[name]})" if name in self.collect_only else ""
        return Step(name, "run", "success" if proc.returncode == 0 else "failure",
                    f"exit {proc.returncode}{note}\n{tail}", time.perf_counter() - started)

    def setup_python(self) -> Path:
        """What actions/setup-python leaves: a fresh interpreter first on PATH, with pip."""
        venv = self._dir("python")
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--clear", str(venv)],
                       check=True, timeout=120)
        site = subprocess.run([str(venv / "bin" / "python"), "-c",
                               "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
        self.packages = Packages(Path(site), venv / "bin", self.project)
        self.packages.provide(list(BASELINE))
        self.path.insert(0, str(venv / "bin"))
        return venv

    def report(self) -> str:
        return "\n".join(f"{s.outcome:>8}  {s.seconds:5.1f} s  {s.name}: "
                         f"{s.detail.splitlines()[0] if s.detail else ''}" for s in self.steps)

    def assert_passed(self) -> None:
        failed = [s for s in self.steps if s.outcome == "failure"]
        assert not failed, "\n\n".join(f"{s.name}: {s.detail}" for s in failed) + "\n\n" + self.report()


def _bare(condition: Any) -> str:
    text = _text(condition).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    return m.group(1) if m else text


def _read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines and ``NAME<<DELIMITER`` blocks, as the runner reads them."""
    values: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            block = []
            i += 1
            while i < len(lines) and lines[i] != delim:
                block.append(lines[i])
                i += 1
            values[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
        i += 1
    return values


# --------------------------------------------------------------------------- workspaces

def fresh_clone(repo: Path, dest: Path) -> Path:
    """A clone of ``repo`` at HEAD with the working tree's changes on top (tracked files changed
    or deleted, new files git does not ignore): what CI would check out once they are committed."""
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(repo), str(dest)], check=True,
                   timeout=300, capture_output=True)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    subprocess.run(["git", "-C", str(dest), "checkout", "--quiet", head], check=True,
                   capture_output=True)
    changed = subprocess.run(["git", "-C", str(repo), "status", "--porcelain=v1", "-z",
                              "--untracked-files=all"], capture_output=True, check=True).stdout
    for entry in filter(None, changed.decode().split("\0")):
        rel = entry[3:]
        src, dst = repo / rel, dest / rel
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
        elif not src.exists() and dst.exists():
            dst.unlink()
    return dest


def git_repository(folder: Path, message: str = "start") -> Path:
    """Make ``folder`` a repository with one commit (what a student's clone is)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@example.com",
           "GIT_COMMITTER_NAME": "s", "GIT_COMMITTER_EMAIL": "s@example.com",
           "GIT_AUTHOR_DATE": "1700000000 +0000", "GIT_COMMITTER_DATE": "1700000000 +0000"}
    for args in (["init", "--quiet", "-b", "main"], ["add", "-A"],
                 ["commit", "--quiet", "-m", message]):
        subprocess.run(["git", "-C", str(folder), *args], check=True, env=env, capture_output=True)
    return folder


def decode_classroom_result(encoded: str) -> dict:
    """What the Classroom grading reporter does with a runner's result: base64, then JSON."""
    return json.loads(base64.b64decode(encoded).decode("utf-8"))
