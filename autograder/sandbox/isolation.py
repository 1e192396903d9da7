"""How the worker is walled off: limits, a private file system view, namespaces, another uid.

Three levels, strongest first; the first whose worker starts is used and its name is what
``target.isolation`` (and the results file) reports:

``bubblewrap``
    ``bwrap`` builds a new root from an allow-list (``/usr``, the Python installation with its
    site-packages hidden, numpy, the worker's runtime, the copy of the submission: all
    read-only), a private /tmp and /proc, and new ipc, pid, network, uts (and, when not root,
    user) namespaces.
    Nothing else of the host is visible: no repository, no solutions, no hidden tests.
``unshare(net,mount,pid,ipc,uts[,user])``
    util-linux ``unshare`` (with a /proc of its own pid namespace); the worker hides the
    grader's directories (repository, working directory) under empty tmpfs mounts (a deny-list:
    weaker than bubblewrap's allow-list). Started by a user other than root, the worker keeps
    that user's uid, so it also remounts everything but its scratch directories read-only.
``rlimits-only``
    A plain child process. Still: its own session, rlimits, a copy of the submission, and
    another uid when the grader is root and the Python installation is readable by that uid;
    refused when that uid could enter the grader's directories (nothing else hides them).

In every level the worker sets its own rlimits (CPU seconds, address space, file size, open
files, processes) before anything of the submission runs, after dropping root (RLIMIT_NPROC does
not bind root).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import weakref
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

NOBODY = 65534
#: In ``Limits.packages``: every installed package but the course's own.
ALL_PACKAGES = "*"
#: The course's own top-level packages: never in a worker's view, whatever its profile.
COURSE_PACKAGES = frozenset({"autograder", "solutions", "assignments", "tests"})
#: Workers started by root run as a uid of their own, drawn from here: RLIMIT_NPROC then counts
#: one worker's processes only, and two workers cannot signal each other. (0 means `nobody`.)
UID_BASE = int(os.environ.get("AUTOGRADER_SANDBOX_UID_BASE", "1900000000"))


def _uid_words(uid: int) -> str:
    # Stable words, not the number: the results file must not change from run to run.
    return "uid nobody" if uid == NOBODY else "dedicated uid"


def worker_uid() -> int:
    """A uid no account uses (above the usual subuid ranges), or nobody when so configured."""
    if UID_BASE <= 0:
        return NOBODY
    return UID_BASE + secrets.randbelow(1_000_000)
#: The modules the worker runs, copied into its private runtime (nothing else of autograder),
#: relative to this package; ``../problems.py`` is the trusted code of named problems,
#: ``../lab/probes.py`` what describes a notebook's models and figures as data.
RUNTIME_MODULES = ("protocol.py", "worker.py", "isolation_inside.py", "zygote.py",
                   "../problems.py", "../lab/probes.py")
LEVELS = ("bubblewrap", "unshare", "rlimits-only")


@functools.lru_cache(maxsize=1)
def _runtime_files() -> dict[str, bytes]:
    """The worker's runtime, sources and bytecode, relative path -> bytes (built once a process).

    The bytecode is compiled ahead (unchecked-hash .pyc: valid for a copy of its source whatever
    the copy's mtime), so that a worker, which runs with -B, does not compile ~1,000 lines at
    every start. Where the engine's own cache holds a .pyc that is valid for the source (one
    that ``autograder.build.bytecode`` or an ordinary import wrote), its code is reused instead of
    compiling again in every grading process.
    """
    import py_compile  # noqa: PLC0415

    here = Path(__file__).parent
    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in RUNTIME_MODULES:
            source = (here / name).read_bytes()
            copy = Path(tmp) / Path(name).name
            pyc = Path(importlib.util.cache_from_source(str(copy)))
            files[copy.name] = source
            reused = _cached_bytecode(here / name, source)
            if reused is None:
                copy.write_bytes(source)
                py_compile.compile(str(copy), cfile=str(pyc), doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
                reused = pyc.read_bytes()
            files[f"__pycache__/{pyc.name}"] = reused
    return files


def _cached_bytecode(path: Path, source: bytes) -> bytes | None:
    """``path``'s cached .pyc as an unchecked-hash .pyc of ``source``, if the cache is valid for
    ``source`` exactly as the import system checks it (the source's hash for a hash-based .pyc,
    its mtime and size for a timestamp-based one); else None."""
    try:
        data = Path(importlib.util.cache_from_source(str(path))).read_bytes()
        stat_ = path.stat()
    except (OSError, NotImplementedError, ValueError):
        return None
    if len(data) < 16 or data[:4] != importlib.util.MAGIC_NUMBER:
        return None
    flags = int.from_bytes(data[4:8], "little")
    source_hash = importlib.util.source_hash(source)
    if flags & 0b1:
        valid = flags in (0b01, 0b11) and data[8:16] == source_hash
    else:
        valid = (flags == 0 and int.from_bytes(data[8:12], "little") == int(stat_.st_mtime) & 0xFFFFFFFF
                 and int.from_bytes(data[12:16], "little") == len(source) & 0xFFFFFFFF)
    return importlib.util.MAGIC_NUMBER + (0b01).to_bytes(4, "little") + source_hash + data[16:] \
        if valid else None


#: Functions whose documented route needs more than the default ``call_timeout``, with the
#: wall-clock seconds one call of each gets instead (the function's docstring states it).
#: ``exact_eigenvalue_sign_probabilities``: its docstring offers sympy, whose ``eigenvals()``
#: takes 4-5 s on the graded 3 x 3 ternary case (729 matrices) on a busy 2-core machine, against
#: 10 s; the integer route takes 0.1 s. 30 s leaves every documented route 6x headroom.
CALL_BUDGETS: dict[str, float] = {"symmetry.exact_eigenvalue_sign_probabilities": 30.0}


@dataclass(frozen=True)
class Limits:
    """Per-submission limits. Every field can be set from ``AUTOGRADER_SANDBOX_<FIELD>``."""

    call_timeout: float = 10.0          # wall-clock seconds for one call (call-backs included)
    # A function that has already timed out once in this submission gets this much for its later
    # calls: a loop that never ends costs 10 s once, not 10 s in each of the tests calling it.
    repeat_timeout: float = 2.0
    import_timeout: float = 20.0        # to import one module (sympy alone takes ~0.5 s)
    submission_timeout: float = 120.0   # wall-clock seconds for all calls of one submission
    start_timeout: float = 20.0         # to start a worker (Python + numpy)
    cpu_seconds: int = 60               # RLIMIT_CPU of one worker
    memory_bytes: int = 2 * 1024**3     # RLIMIT_AS
    file_size_bytes: int = 16 * 1024**2 # RLIMIT_FSIZE
    tmp_bytes: int = 64 * 1024**2       # size of the private /tmp (a tmpfs: RAM)
    open_files: int = 64                # RLIMIT_NOFILE
    processes: int = 16                 # RLIMIT_NPROC (counted in the worker's user namespace)
    max_frame_bytes: int = 64 * 1024**2 # largest message either way
    max_output_chars: int = 10_000      # of the submission's prints kept per call
    max_submission_bytes: int = 20 * 1024**2
    levels: tuple = field(default=LEVELS)
    #: Device files the worker may use besides /dev's basics (a GPU's, for TensorFlow).
    devices: tuple = ()
    #: Third-party packages a submission may import (the course uses sympy in one exercise);
    #: only these are visible to the worker, never the rest of site-packages.
    packages: tuple = ("numpy", "sympy", "mpmath")

    @classmethod
    def tensorflow(cls, epochs: int, *, gpu: bool = False) -> "Limits":
        """The launch profile of a notebook that trains Keras models (the Keras lab).

        TensorFlow maps far more address space than it uses (CUDA's unified memory: unlimited on
        a GPU), starts a thread pool per core (RLIMIT_NPROC counts threads), opens hundreds of
        shared libraries, and one training call takes seconds per epoch on a busy CPU; it sees
        every installed package but the course's own (:func:`site_packages_entries`). Every
        other rule is the same as for any submission.
        """
        per_call = 60.0 + 2.0 * epochs
        budget = 300.0 + 8 * per_call
        return cls.from_env(
            call_timeout=per_call, repeat_timeout=per_call, import_timeout=180.0,
            submission_timeout=budget, start_timeout=60.0,
            cpu_seconds=int(budget * (os.cpu_count() or 1)),
            memory_bytes=-1 if gpu else 16 * 1024**3, file_size_bytes=64 * 1024**2,
            tmp_bytes=256 * 1024**2, open_files=4096, processes=512,
            packages=(ALL_PACKAGES,),
            devices=tuple(sorted(str(p) for p in Path("/dev").glob("nvidia*"))) if gpu else ())

    @classmethod
    def from_env(cls, **overrides) -> "Limits":
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"AUTOGRADER_SANDBOX_{f.name.upper()}")
            if raw is None:
                continue
            if f.type == "tuple":
                values[f.name] = tuple(x.strip() for x in raw.split(",") if x.strip())
            else:
                values[f.name] = float(raw) if f.type == "float" else int(float(raw))
        values.update(overrides)
        return cls(**values)

    def rlimits(self) -> dict:
        return {"cpu": self.cpu_seconds, "as": self.memory_bytes if self.memory_bytes > 0 else None, "fsize": self.file_size_bytes,
                "nofile": self.open_files, "nproc": self.processes, "core": 0}


def grader_paths() -> list[str]:
    """Directories the worker must never see: this repository and the grader's working dir."""
    repo = Path(__file__).resolve().parents[2]
    paths = {str(repo), os.getcwd()}
    extra = os.environ.get("AUTOGRADER_SANDBOX_HIDE", "")
    paths.update(p for p in extra.split(os.pathsep) if p)
    return sorted(p for p in paths if p not in ("/", ""))


#: Top-level directories of the operating system: everything else at the top (/home, /root,
#: /srv, /opt, /work...) may hold other copies of a course or other users' files, and is hidden
#: from an unshare-level worker like the grader's own directories (what it needs is bound back).
SYSTEM_TOP_DIRECTORIES = frozenset({"bin", "boot", "dev", "etc", "lib", "lib32", "lib64",
                                    "libx32", "proc", "run", "sbin", "sys", "tmp", "usr", "var"})


def other_top_directories() -> list[str]:
    try:
        names = sorted(os.listdir("/"))
    except OSError:
        return []
    return [f"/{name}" for name in names if name not in SYSTEM_TOP_DIRECTORIES
            and os.path.isdir(f"/{name}") and not os.path.islink(f"/{name}")]


def _closed_to_others(path: str) -> str | None:
    """What keeps an unprivileged uid from reaching ``path`` (x for others on every directory
    down to it, r on it): the chmod that opens it, or None when nothing does."""
    p = Path(path).resolve()
    for parent in [*reversed(p.parents), p]:
        mode = parent.stat().st_mode
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return f"chmod o+x {parent}"
    if not p.stat().st_mode & stat.S_IROTH:
        return f"chmod o+r {p}"
    return None


def _enterable_by_others(path: str) -> bool:
    """Can an unprivileged uid reach what is inside ``path`` (x for others down to it)? A
    directory it may enter but not list still gives away every file whose name it can guess."""
    p = Path(path).resolve()
    return all(q.stat().st_mode & stat.S_IXOTH for q in [p, *p.parents])


def copy_submission(source: Path, dest: Path, limit: int) -> None:
    """Regular files only: symlinks (to solutions/, /etc/shadow...) and devices are left behind.

    The copy is readable by every uid (whatever the grader's umask) and owned by the grader: a
    worker with a uid of its own can read its submission but not change or grow it.
    """
    dest.mkdir(parents=True)
    os.chmod(dest, 0o755)
    total = 0
    for root, dirs, files in os.walk(source, followlinks=False):
        rel = Path(root).relative_to(source)
        if len(rel.parts) > 8:
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))
                   and d not in ("__pycache__", ".git")]
        for d in dirs:
            (dest / rel / d).mkdir()
            os.chmod(dest / rel / d, 0o755)
        for name in files:
            src = os.path.join(root, name)
            st = os.lstat(src)
            if not stat.S_ISREG(st.st_mode):
                continue
            total += st.st_size
            if total > limit:
                raise ValueError(f"the submission is larger than {limit // 2**20} MiB")
            shutil.copyfile(src, dest / rel / name)
            os.chmod(dest / rel / name, 0o644)


#: Isolation levels whose worker did not start in this process, with why (tried once only).
FAILED_LEVELS: dict[str, str] = {}


@dataclass
class Launch:
    """What to start and how: the command, Popen arguments, and the worker's config."""
    level: str
    description: str
    argv: list
    config: dict
    popen: dict = field(default_factory=dict)


class SandboxDir:
    """The worker's private directory: ``runtime/agworker``, ``submission/``, ``tmp/``."""

    def __init__(self, source: Path, limits: Limits):
        self.source, self.limits = source, limits
        from . import forkserver  # noqa: PLC0415 - it builds on this module
        # In the fork server's view when its workers may be forked (see .forkserver).
        base = forkserver.box_parent(limits) or \
            ("/var/tmp" if os.access("/var/tmp", os.W_OK) else None)
        self.root = Path(tempfile.mkdtemp(prefix="autograder-sandbox-", dir=base))
        # Removed even when nobody calls remove() (a grader that crashed, a worker that never
        # started): the copy of a submission must not pile up in /var/tmp.
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.root), True)
        self.runtime = self.root / "runtime"
        # Found without importing numpy: a first worker is launched before the grader imports it.
        self.numpy_dir = Path(importlib.util.find_spec("numpy").origin).parent
        #: name in the runtime -> directory on the host (a package and its vendored ``.libs``)
        self.packages: dict[str, Path] = package_dirs(limits)

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def stderr(self) -> Path:
        return self.root / "worker-stderr.txt"

    def refresh(self, uid: int | None, runtime: bool = True) -> None:
        """Everything afresh for every worker start: nothing a dead worker wrote survives it.

        Outside bubblewrap the worker can reach this directory, and a new worker runs the
        runtime's code before it walls itself off (at the unshare level, as root with the host's
        file system in view): a runtime, a link or a file left changed by the previous worker of
        this submission would run or be followed there. So every entry is removed without
        following links and written again, and a worker with a uid of its own owns only
        ``tmp/`` (its submission is read-only to it, as under bubblewrap: it cannot fill the disk
        through it); the rest stays the grader's.
        """
        for path in (self.runtime, self.submission, self.tmp, self.stderr):
            _remove(path)
        if runtime:   # (a worker forked by the fork server has the server's)
            self.write_runtime()
        copy_submission(self.source, self.submission, self.limits.max_submission_bytes)
        self.tmp.mkdir()
        if uid is not None:
            # Reachable by this worker's group (its gid is its uid), by no other worker: at the
            # rlimits-only level every worker sees /var/tmp, and the boxes of other students.
            os.chown(self.root, -1, uid)
            os.chmod(self.root, 0o750)
            os.chown(self.tmp, uid, uid)

    def write_runtime(self) -> None:
        write_runtime(self.runtime / "agworker")
        # Outside bubblewrap the runtime reaches the packages through links, not through
        # site-packages (site-packages may hold an installed copy of `solutions`).
        for name, where in self.packages.items():
            os.symlink(where, self.runtime / name)

    def remove(self) -> None:
        self._finalizer()


def package_dirs(limits: Limits) -> dict[str, Path]:
    """The packages ``limits`` lets a worker import: name in its runtime -> directory on the host
    (a package and its vendored ``.libs``)."""
    packages: dict[str, Path] = {}
    if ALL_PACKAGES in limits.packages:
        packages.update(site_packages_entries())
    for name in limits.packages:
        if name == ALL_PACKAGES:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        where = Path(list(spec.submodule_search_locations)[0])
        packages[name] = where
        if (where.parent / f"{name}.libs").is_dir():
            packages[f"{name}.libs"] = where.parent / f"{name}.libs"
    return packages


def write_runtime(package: Path) -> None:
    """The worker's runtime (:data:`RUNTIME_MODULES` and their bytecode) as ``package``."""
    (package / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text('"""The grading worker\'s private runtime."""\n')
    for name, data in _runtime_files().items():
        (package / name).write_bytes(data)
    # Readable by the worker's uid whatever the grader's umask, writable by nobody but us.
    for path in (package.parent, package, package / "__pycache__"):
        os.chmod(path, 0o755)
    for path in [*package.iterdir(), *(package / "__pycache__").iterdir()]:
        if path.is_file():
            os.chmod(path, 0o644)


def _is_course_entry(name: str) -> bool:
    stem = name.split(".", 1)[0].split("-", 1)[0]
    return (stem in COURSE_PACKAGES or name.startswith(("__editable__", "nnopt_course"))
            or name.endswith(".pth") or name in ("__pycache__", "_distutils_hack"))


@functools.lru_cache(maxsize=1)
def site_packages_entries() -> dict[str, Path]:
    """Every entry of every site-packages directory on ``sys.path`` (packages, single-file
    modules, vendored ``.libs``, metadata) but the course's own and ``.pth`` files: what a
    notebook may import. The first directory on the path wins a name, as it would in an import.
    """
    out: dict[str, Path] = {}
    for entry in sys.path:
        if os.path.basename(entry) not in ("site-packages", "dist-packages") or not os.path.isdir(entry):
            continue
        for name in sorted(os.listdir(entry)):
            path = Path(entry) / name
            if name not in out and not _is_course_entry(name) and not path.is_symlink():
                out[name] = path
    return out


def _remove(path: Path) -> None:
    """Remove a file, a link or a tree without following links, whatever its permissions."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        # A worker sharing our uid may have left directories we cannot enter (mode 000).
        os.chmod(path, 0o700)
        for root, dirs, _ in os.walk(path):
            for name in dirs:
                if not os.path.islink(os.path.join(root, name)):
                    os.chmod(os.path.join(root, name), 0o700)
        shutil.rmtree(path)


def _env(home: str) -> dict:
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home, "TMPDIR": home,
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _python() -> str:
    return os.path.realpath(sys.executable)


def _bootstrap(runtime: str, module: str = "worker") -> list[str]:
    # -I: no environment variables, no user site, no script directory; -S: no site-packages;
    # -B: no .pyc files written into the copy.
    code = (f"import sys; sys.path.insert(0, {runtime!r}); "
            f"from agworker.{module} import main; main()")
    return [_python(), "-I", "-S", "-B", "-c", code]


def _hidden_site_packages() -> list[str]:
    import site
    paths = set(site.getsitepackages())
    paths.add(os.path.join(sys.base_prefix, "lib",
                           f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages"))
    return sorted(p for p in paths if os.path.isdir(p))


def _bwrap_namespaces(root: bool) -> list[str]:
    """bubblewrap's new namespaces (a user namespace too when not root)."""
    return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            *([] if root else ["--unshare-user"])]


def _unshare_namespaces(root: bool) -> list[str]:
    """unshare's new namespaces, with a /proc of the new pid namespace (no host processes in
    view), and a user namespace when not root."""
    return ["--net", "--ipc", "--uts", "--pid", "--fork", "--kill-child", "--mount",
            "--mount-proc", *([] if root else ["--user", "--map-root-user"])]


def bwrap_view(agworker: Path, packages: dict[str, Path], limits: Limits, root: bool,
               submission: list[str], caps: tuple[str, ...] = ("CAP_SETUID", "CAP_SETGID"),
               ) -> list[str]:
    """bubblewrap's command line up to the program: the allow-listed file system, namespaces,
    environment; ``submission``: the arguments that put it in view (a worker's ``--ro-bind``, or
    the fork server's ``/boxes``); ``caps``: what a root worker keeps to switch uid itself."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        raise FileNotFoundError("bwrap is not installed")
    inside = "/sandbox"
    argv = [bwrap, "--die-with-parent", "--new-session", *_bwrap_namespaces(root),
            "--unshare-cgroup-try", "--hostname", "sandbox"]
    if root:
        # The worker starts as root inside new namespaces only to switch to `nobody` itself
        # (the Python installation may live where `nobody` could not reach it from outside).
        argv += ["--cap-drop", "ALL", *[arg for cap in caps for arg in ("--cap-add", cap)]]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("/lib", "/lib64", "/bin", "/sbin"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    prefix = os.path.realpath(sys.base_prefix)
    binds = [] if prefix.startswith("/usr/") else [prefix]
    # bwrap makes missing parents 0700 when run as root: open them to the uid we switch to.
    parents = sorted({str(p) for b in [*binds, f"{inside}/runtime/x", f"{inside}/submission"]
                      for p in Path(b).parents if str(p) != "/"}, key=len)
    for parent in parents:
        if not os.path.islink(parent):
            argv += ["--perms", "0755", "--dir", parent]
    for path in binds:
        argv += ["--ro-bind", path, path]
    for hidden in _hidden_site_packages():
        argv += ["--size", "65536", "--tmpfs", os.path.realpath(hidden)]
    argv += ["--ro-bind", str(agworker), f"{inside}/runtime/agworker"]
    for name, where in packages.items():
        argv += ["--ro-bind", str(where), f"{inside}/runtime/{name}"]
    argv += [*submission,
             # tmpfs lives in RAM and RLIMIT_FSIZE bounds one file, not how many: cap it.
             "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
             "--proc", "/proc", "--dev", "/dev",
             *[arg for device in limits.devices for arg in ("--dev-bind", device, device)],
             "--remount-ro", "/dev",
             "--chdir", f"{inside}/submission", "--clearenv"]
    for key, value in _env("/tmp").items():
        argv += ["--setenv", key, value]
    return argv


def plan(level: str, box: SandboxDir, limits: Limits, fd_in: int, fd_out: int) -> Launch:
    """The command line and worker configuration for one isolation level."""
    root = os.geteuid() == 0
    config = {"rlimits": limits.rlimits(), "max_frame": limits.max_frame_bytes,
              "max_output": limits.max_output_chars}
    popen = {"start_new_session": True, "pass_fds": (fd_in, fd_out), "close_fds": True}
    if level == "bubblewrap":
        inside = "/sandbox"
        argv = bwrap_view(box.runtime / "agworker", box.packages, limits, root,
                          ["--ro-bind", str(box.submission), f"{inside}/submission"])
        config.update(submission=f"{inside}/submission")
        if root:
            uid = worker_uid()
            config.update(uid=uid, gid=uid)
        namespaces = "ipc,pid,net,uts" + ("" if root else ",user")
        who = _uid_words(config["uid"]) if root else "own uid"
        described = f"bubblewrap({namespaces}; allow-listed filesystem; {who})"
        return Launch(level, described, argv + _bootstrap(f"{inside}/runtime"), config, popen)

    needed = (_python(), os.path.join(sys.base_prefix, "lib"), *map(str, box.packages.values()))
    closed = next(((p, why) for p in needed if (why := _closed_to_others(p))), None)
    config.update(submission=str(box.submission), cwd=str(box.submission))
    popen["env"] = _env(str(box.tmp))
    popen["cwd"] = str(box.root)
    if level == "unshare":
        unshare = shutil.which("unshare")
        if not unshare:
            raise FileNotFoundError("unshare is not installed")
        argv = [unshare, *_unshare_namespaces(root)]
        names = "net,mount,pid,ipc,uts"
        if root:
            # The worker mounts what it needs, then becomes `nobody` itself.
            uid = worker_uid()
            config.update(uid=uid, gid=uid)
            who = _uid_words(uid)
        else:
            names += ",user"
            config["drop_capabilities"] = True
            who = "own uid, no capabilities"
        expose = [sys.base_prefix, *map(str, box.packages.values())]
        config["mounts"] = {"hide": [*grader_paths(), *other_top_directories()],
                            "private": ["/tmp", "/var/tmp", "/dev/shm"],
                            "keep": [str(box.root)], "private_kept": [str(box.tmp)],
                            "tmp_bytes": limits.tmp_bytes, "need": expose,
                            "expose": expose if root else [],
                            # Nothing but its scratch may be writable: not the grader's files
                            # (a worker that keeps the grader's uid), nor a world-writable
                            # folder of the host such as /run/lock (one with a uid of its own).
                            "read_only": True}
        return Launch(level, f"unshare({names}; {who})", argv + _bootstrap(str(box.runtime)),
                      config, popen)
    # rlimits-only: another uid is all we can add. Never run a submission as root without a pid
    # namespace: kill(-1, SIGKILL) from uid 0 ends every process of the machine.
    if root and closed is not None:
        path, opening = closed
        raise PermissionError(
            f"it would run the submission as root: the worker's uid cannot reach "
            f"{path} (the grading Python and its packages must be readable by other uids: "
            f"`{opening}` opens the way, or install bubblewrap)")
    if root:
        # Without a mount namespace nothing is hidden: only file permissions keep the worker's
        # uid out of the hidden tests, the solutions and the course salt.
        readable = [p for p in grader_paths() if _enterable_by_others(p)]
        if readable:
            raise PermissionError(
                f"it would let the submission read {readable[0]} (hidden tests, "
                f"solutions): make it unreadable by other users (chmod 700 {readable[0]}), or "
                "install bubblewrap")
        uid = worker_uid()
        config.update(uid=uid, gid=uid, switch_in_popen=True)
    who = _uid_words(config["uid"]) if root else "own uid"
    if level == "rlimits-only":
        return Launch(level, f"rlimits-only({who})", _bootstrap(str(box.runtime)), config, popen)
    raise ValueError(f"unknown isolation level {level!r}")


def namespaces_work(level: str) -> bool:
    """Can this machine make the namespaces of ``level`` at all, without our worker in them?

    Tells a machine that cannot (no bwrap, user namespaces forbidden in a container) from a
    worker that fails inside namespaces the machine can make: the latter is a bug of ours.
    """
    root = os.geteuid() == 0
    if level == "bubblewrap":
        tool = shutil.which("bwrap")
        argv = [tool, *_bwrap_namespaces(root), "--ro-bind", "/", "/", "--proc", "/proc",
                "--dev", "/dev", "true"]
    elif level == "unshare":
        tool = shutil.which("unshare")
        argv = [tool, *_unshare_namespaces(root), "true"]
    else:
        return level == "rlimits-only"
    if tool is None:
        return False
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def limits_summary(limits: Limits) -> str:
    d = asdict(limits)
    return (f"cpu {d['cpu_seconds']} s, memory {d['memory_bytes'] // 2**20} MiB, "
            f"files {d['file_size_bytes'] // 2**20} MiB, {d['open_files']} fds, "
            f"{d['processes']} processes, call {d['call_timeout']:g} s, "
            f"submission {d['submission_timeout']:g} s")


@dataclass
class Launched:
    """A worker process started at ``level``, not yet heard from: the grader's ends of its pipes."""
    level: str
    launch: Launch
    proc: subprocess.Popen
    fd_read: int
    fd_write: int
    #: The uid no one else uses that the worker runs as (None: it shares its uid with others),
    #: by which every process its submission starts can be found and ended.
    uid: int | None = None


def spawn(level: str, box: SandboxDir, limits: Limits) -> Launched:
    """Start a worker at ``level`` for ``box`` without waiting for it (no numpy needed here)."""
    to_worker_r, to_worker_w = os.pipe()
    from_worker_r, from_worker_w = os.pipe()
    try:
        launch = plan(level, box, limits, to_worker_r, from_worker_w)
        uid = launch.config.get("uid")
        server = _fork_server(level, box, limits)
        box.refresh(uid if level != "bubblewrap" else None, runtime=server is None)
        kwargs = dict(launch.popen)
        if launch.config.pop("switch_in_popen", False):
            kwargs.update(user=launch.config["uid"], group=launch.config["gid"], extra_groups=[])
            launch.config = {k: v for k, v in launch.config.items() if k not in ("uid", "gid")}
        argv = launch.argv + [str(to_worker_r), str(from_worker_w), json.dumps(launch.config)]
        # refresh() removed any earlier file: create it, never follow what a worker planted.
        stderr = os.open(box.stderr, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            proc = _forked(server, box, limits, launch, to_worker_r, from_worker_w, stderr)
            if proc is None:
                if server is not None:
                    box.write_runtime()
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=stderr, **kwargs)
        finally:
            os.close(stderr)
    except BaseException:
        os.close(to_worker_w)
        os.close(from_worker_r)
        raise
    finally:
        os.close(to_worker_r)
        os.close(from_worker_w)
    return Launched(level, launch, proc, from_worker_r, to_worker_w,
                    uid=uid if uid not in (None, NOBODY) else None)


def _fork_server(level: str, box: SandboxDir, limits: Limits):
    """This process's fork server for a worker of ``box``, where one applies (see
    :mod:`.forkserver`); None: the worker starts as a process of its own."""
    from . import forkserver  # noqa: PLC0415

    if level != "bubblewrap" or not forkserver.applies(limits) or \
            box.root.parent != forkserver.box_parent(limits):
        return None
    return forkserver.server(limits)


def _forked(server, box: SandboxDir, limits: Limits, launch: Launch, fd_in: int, fd_out: int,
            stderr: int):
    """The worker forked by ``server``; None when there is none or it has stopped (it is then
    retired, and the worker starts as a process of its own)."""
    from . import forkserver  # noqa: PLC0415

    if server is None:
        return None
    try:
        return server.fork(box, launch.config, fd_in, fd_out, stderr,
                           time.monotonic() + limits.start_timeout)
    except OSError as exc:
        forkserver.retire(f"the fork server stopped: {exc}")
        return None


def launch_early(directory: Path, limits: Limits) -> tuple[SandboxDir, Launched] | None:
    """Copy a submission and start its worker at the strongest level not known to fail.

    Meant for the grader's first moments, before numpy and pytest are imported, so the worker's
    own start-up (an interpreter and numpy, about 0.1 s) overlaps them. None when that cannot be
    done now; the sandboxed target then starts its worker itself and reports any problem.
    """
    levels = [lv for lv in limits.levels if lv not in FAILED_LEVELS]
    if not levels:
        return None
    try:
        box = SandboxDir(directory, limits)
    except (OSError, ValueError):
        return None
    try:
        return box, spawn(levels[0], box, limits)
    except (OSError, ValueError):
        box.remove()
        return None
