"""The grading worker: imports the submission, answers calls, nothing else.

It runs in a child process started by :mod:`autograder.sandbox.proxy` (never forked from the
grader), from a private copy of this package and of the submission, inside whatever isolation
:mod:`autograder.sandbox.isolation` could set up. It speaks only the frames of
:mod:`.protocol` on two dedicated file descriptors; the submission's prints go to a bounded buffer
and come back as data, so nothing it writes can be mistaken for a message or for grader output.

Requests (``kind``): ``import`` a module, ``attr`` (what a module attribute is), ``call`` a
function, and, while a call is running, the answers to the call-backs it made. Every failure of
the submission becomes a reply, never a crash of the worker; if the submission kills the worker
anyway (``os._exit``, memory, a signal), the grader sees the pipe close and starts a fresh one.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import resource
import sys
import traceback
import types

import numpy as np

from . import protocol as P

try:   # the worker's private runtime: copies of autograder/problems.py and lab/probes.py here
    from . import probes, problems
except ImportError:   # run from the repository (autograder.sandbox.worker)
    from .. import problems
    from ..lab import probes

PACKAGE = "submission"
#: Exceptions re-raised under their own name on the grader's side (by the first match in the MRO),
#: so ``pytest.raises(ValueError)`` works through the sandbox.
PASSED_THROUGH = ("NotImplementedError", "ValueError", "TypeError", "ZeroDivisionError",
                  "FloatingPointError", "OverflowError", "ArithmeticError", "IndexError",
                  "KeyError", "LookupError", "LinAlgError")


class CallbackFailed(Exception):
    """A call-back into the grader raised; the submission sees this (or a passed-through type)."""


class _BoundedText(io.TextIOBase):
    """Where the submission's ``print`` goes: keeps the first ``limit`` characters."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.size = limit, [], 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        if self.size < self.limit:
            self.parts.append(text[: self.limit - self.size])
        self.size += len(text)
        return len(text)

    def take(self) -> str:
        out = "".join(self.parts)
        if self.size > self.limit:
            out += f"\n[... {self.size - self.limit} more characters cut]"
        self.parts, self.size = [], 0
        return out


class Worker:
    def __init__(self, fd_in: int, fd_out: int, config: dict):
        self.fd_out = fd_out
        self.max_frame = int(config.get("max_frame", P.DEFAULT_MAX_FRAME))
        self.reader = P.FrameReader(P.fd_reader(fd_in), self.max_frame)
        self.output = _BoundedText(int(config.get("max_output", 10_000)))
        self.modules: dict[str, types.ModuleType] = {}
        pkg = types.ModuleType(PACKAGE)
        pkg.__path__ = [config["submission"]]
        sys.modules[PACKAGE] = pkg

    # ------------------------------------------------------------------ wire
    def send(self, header: dict, values: dict | None = None,
             budget: P.Budget | None = None) -> None:
        """Send a reply; one over the grader's ``budget`` goes as ``unsendable``, saying why."""
        encoder = P.Encoder(self._encode_special)
        try:
            frame = P.encode_message(header, values or {}, encoder=encoder,
                                     max_frame=self.max_frame)
            if budget is not None:
                P.check_outgoing(frame, encoder.arrays, budget)
        except (P.ProtocolError, RecursionError, MemoryError, ValueError, TypeError) as exc:
            reason = {RecursionError: "the value is nested too deeply",
                      MemoryError: "out of memory while sending the value"}.get(type(exc), str(exc))
            frame = P.pack({"kind": "unsendable", "id": header.get("id"), "message": reason})
        P.write_all(self.fd_out, frame)

    def _encode_special(self, value):
        if isinstance(value, np.random.Generator):
            return P.generator_state(value)
        if isinstance(value, Callback):
            return {"$": "callback", "id": value.cid}
        if type(value) is problems.Problem:
            return problems.to_tag(value)
        return None

    def _decoder(self, arrays, generators: dict):
        def generator(tag):
            gen = P.make_generator(tag)
            if "g" in tag:
                generators[tag["g"]] = gen
            return gen

        def function(tag):
            return self.resolve(str(tag.get("module")), str(tag.get("name")))

        def problem(tag):
            # Rebuilt from the trusted copy of autograder/problems.py: calling it is local.
            try:
                return problems.from_tag(tag)
            except problems.ProblemError as exc:
                raise P.ProtocolError(str(exc)) from None

        return P.Decoder(arrays, {"generator": generator, "function": function,
                                  "callback": lambda tag: Callback(self, int(tag.get("id"))),
                                  problems.TAG: problem})

    # ------------------------------------------------------------------ submission
    def load(self, module: str) -> types.ModuleType:
        if module not in self.modules:
            if not module.isidentifier():
                raise ImportError(f"{module!r} is not a module name")
            self.modules[module] = importlib.import_module(f"{PACKAGE}.{module}")
        return self.modules[module]

    def resolve(self, module: str, name: str):
        value = getattr(self.load(module), name)
        if not callable(value):
            raise TypeError(f"{module}.{name} is not a function")
        return value

    def serve(self, until_reply_to: int | None = None):
        """Answer requests; inside a call-back, return the grader's answer to it."""
        while True:
            header, arrays = self.reader.read_frame()
            kind = header.get("kind")
            if kind == "exit":
                raise SystemExit(0)
            if kind in ("callback_result", "callback_raised") and until_reply_to is not None:
                return header, arrays
            handler = {"import": self.on_import, "attr": self.on_attr, "call": self.on_call,
                       "probe": self.on_call}.get(kind)
            if handler is None:
                self.send({"kind": "protocol_error", "message": f"unexpected request {kind!r}"})
                continue
            handler(header, arrays)

    def on_import(self, header: dict, arrays) -> None:
        module = str(header.get("module"))
        try:
            with self.capture():
                self.load(module)
            self.send({"kind": "imported", "id": header.get("id"), "output": self.output.take()})
        except BaseException as exc:  # noqa: BLE001 - an import failure is feedback, not a crash
            self.send({"kind": "import_failed", "id": header.get("id"),
                       "description": describe(exc), "output": self.output.take()})

    def on_attr(self, header: dict, arrays) -> None:
        module, name = str(header.get("module")), str(header.get("name"))
        reply = {"kind": "attr", "id": header.get("id")}
        try:
            with self.capture():
                value = getattr(self.load(module), name)
        except AttributeError:
            self.send({**reply, "exists": False})
            return
        except BaseException as exc:  # noqa: BLE001
            self.send({"kind": "import_failed", "id": header.get("id"), "description": describe(exc)})
            return
        if callable(value) and not isinstance(value, type):
            self.send({**reply, "exists": True, "callable": True})
        else:
            self.send({**reply, "exists": True, "callable": False}, {"value": value},
                      P.Budget.from_wire(header.get("budget")))

    def on_call(self, header: dict, arrays) -> None:
        call_id = header.get("id")
        budget = P.Budget.from_wire(header.get("budget"))
        generators: dict = {}
        try:
            decoder = self._decoder(arrays, generators)
            args = decoder.decode(header.get("args", {"$": "tuple", "items": []}))
            kwargs = decoder.decode(header.get("kwargs", {"$": "dict", "items": []}))
            if header.get("kind") == "probe":
                # Trusted code of the runtime that calls the submission's functions passed to it
                # and describes what they return (a Keras model, a figure) as plain data.
                func = probes.PROBES.get(str(header.get("name")))
                if func is None:
                    raise P.ProtocolError(f"unknown probe {str(header.get('name'))[:40]!r}")
            else:
                func = self.resolve(str(header.get("module")), str(header.get("name")))
        except P.ProtocolError as exc:
            self.send({"kind": "protocol_error", "id": call_id, "message": str(exc)})
            return
        except BaseException as exc:  # noqa: BLE001 - a module that fails now fails this call
            self.send({"kind": "import_failed", "id": call_id, "description": describe(exc)})
            return
        try:
            with self.capture():
                result = func(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: all feedback
            self.send({"kind": "raised", "id": call_id, **exception_info(exc),
                       "output": self.output.take()},
                      {"generators": {str(g): gen for g, gen in generators.items()}}, budget)
            return
        self.send({"kind": "result", "id": call_id, "output": self.output.take()},
                  {"value": result, "generators": {str(g): gen for g, gen in generators.items()}},
                  budget)

    def capture(self) -> "_Capture":
        return _Capture(self.output)


class _Capture:
    """Around the submission's code: its prints go to ``output``; afterwards, what it patched in
    the namespaces the worker relies on is put back. (A class of the module's, not one built at
    every call: that cost about 8 microseconds a call.)"""

    __slots__ = ("output", "saved")

    def __init__(self, output: _BoundedText):
        self.output = output

    def __enter__(self):
        self.saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.output

    def __exit__(self, *exc):
        sys.stdout, sys.stderr = self.saved
        # What the submission patched in builtins or numpy (isinstance, np.save...) would
        # break this worker's own replies for every later exercise: put it back.
        for namespace, saved in _PRISTINE:
            if namespace != saved:
                _keep_submodules(namespace, saved)
                namespace.clear()
                namespace.update(saved)
        for cls, saved in _PRISTINE_CLASSES:
            _restore_class(cls, saved)
        for func, code, defaults, kwdefaults in _PRISTINE_CODE:
            if func.__code__ is not code or func.__defaults__ is not defaults \
                    or func.__kwdefaults__ is not kwdefaults:
                func.__code__, func.__defaults__ = code, defaults
                func.__kwdefaults__ = kwdefaults
        return False


_PRISTINE: list[tuple[dict, dict]] = []
_PRISTINE_CLASSES: list[tuple[type, dict]] = []
#: The probes' functions: a submission that swaps a function's code object (rather than the
#: name that holds it) would otherwise change what the probes report for good. (What a probe
#: reports is still only a claim: the lab's tests check it against the grader's replays.)
_PRISTINE_CODE: list[tuple] = []


def _remember_pristine() -> None:
    import builtins
    import numpy.lib.format
    for module in (builtins, np, numpy.lib.format, np.random, np.linalg, json, io, os, P, problems,
                   probes):
        _PRISTINE.append((module.__dict__, dict(module.__dict__)))
    # The named problems' tables and class: a submission that patches them changes only what its
    # own functions compute (see autograder/problems.py), but not for every later exercise too.
    for table in (problems.KINDS, problems.COURSE_FUNCTIONS, probes.PROBES):
        _PRISTINE.append((table, dict(table)))
    _PRISTINE_CLASSES.append((problems.Problem, dict(problems.Problem.__dict__)))
    for value in list(vars(probes).values()):
        members = vars(value).values() if isinstance(value, type) and \
            value.__module__ == probes.__name__ else [value]
        for func in members:
            if isinstance(func, types.FunctionType):
                _PRISTINE_CODE.append((func, func.__code__, func.__defaults__, func.__kwdefaults__))


def _keep_submodules(namespace: dict, saved: dict) -> None:
    """Count a package's submodules imported since (``numpy.ma``, loaded lazily by matplotlib) as
    part of its pristine state: dropping the attribute while the import system still holds the
    module would send numpy's lazy ``__getattr__`` into endless recursion."""
    name = saved.get("__name__")
    if not isinstance(name, str):
        return
    for key, value in namespace.items():
        if key not in saved and isinstance(value, types.ModuleType) \
                and sys.modules.get(f"{name}.{key}") is value:
            saved[key] = value


def _restore_class(cls: type, saved: dict) -> None:
    current = dict(cls.__dict__)
    if current == saved:
        return
    for key in current.keys() - saved.keys():
        delattr(cls, key)
    for key, value in saved.items():
        if current.get(key) is not value:
            setattr(cls, key, value)


class Callback:
    """A function of the grader's (a gradient, a sampler...), called through the channel."""

    def __init__(self, worker: Worker, cid: int):
        self.worker, self.cid = worker, cid

    def __call__(self, *args, **kwargs):
        worker = self.worker
        sent: dict = {}

        def special(value):
            if isinstance(value, np.random.Generator):
                tag = P.generator_state(value)
                tag["g"] = len(sent)
                sent[tag["g"]] = value
                return tag
            return worker._encode_special(value)

        frame = P.encode_message({"kind": "callback", "id": self.cid},
                                 {"args": tuple(args), "kwargs": dict(kwargs)},
                                 special=special, max_frame=worker.max_frame)
        P.write_all(worker.fd_out, frame)
        header, arrays = worker.serve(until_reply_to=self.cid)
        decoder = worker._decoder(arrays, {})
        # The grader's function may have drawn from a Generator we lent it: catch up.
        for g, tag in (header.get("generators") or {}).items():
            if int(g) in sent:
                P.set_generator_state(sent[int(g)], tag)
        if header.get("kind") == "callback_raised":
            name = header.get("type")
            exc_type = _builtin_type(name)
            raise (exc_type or CallbackFailed)(header.get("message", ""))
        return decoder.decode(header.get("value"))

    def __repr__(self) -> str:
        return f"<function supplied by the grader #{self.cid}>"


def _builtin_type(name):
    import builtins
    cls = getattr(builtins, str(name), None)
    return cls if isinstance(cls, type) and issubclass(cls, Exception) else None


def exception_info(exc: BaseException) -> dict:
    name = type(exc).__name__
    passed = None
    for cls in type(exc).__mro__:
        if cls.__name__ in PASSED_THROUGH and cls.__module__ in ("builtins", "numpy.linalg"):
            passed = cls.__name__
            break
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001 - a __str__ that raises still leaves us a type name
        message = "<unprintable>"
    return {"type": name, "passed_as": passed, "message": message[:2000], "where": _where(exc)}


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename and os.sep + "agworker" + os.sep not in f.filename]
    if not frames:
        return ""
    last = frames[-1]
    return f"{os.path.basename(last.filename)}, line {last.lineno}"


def describe(exc: BaseException) -> str:
    """The same words as the in-process target: ``SyntaxError: msg (line N)``."""
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    frames = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (line {frames[0].lineno})" if frames else ""
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001
        text = "<unprintable>"
    return f"{type(exc).__name__}: {text[:500]}{where}"


# ---------------------------------------------------------------------- start-up


def apply_limits(limits: dict) -> None:
    """Lower soft and hard limits together, so the submission cannot raise them again.

    The grader's own soft memory ceiling (``grade-all`` lowers RLIMIT_DATA for itself) is lifted
    first: it is not this worker's, whose memory is bounded by its own RLIMIT_AS.
    """
    _, data_hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (data_hard, data_hard))
    names = {"cpu": resource.RLIMIT_CPU, "as": resource.RLIMIT_AS, "fsize": resource.RLIMIT_FSIZE,
             "nofile": resource.RLIMIT_NOFILE, "nproc": resource.RLIMIT_NPROC,
             "core": resource.RLIMIT_CORE}
    for key, value in limits.items():
        if key in names and value is not None:
            soft, hard = resource.getrlimit(names[key])
            value = int(value)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(names[key], (value, value))


def drop_privileges(uid: int | None, gid: int | None, may_stay_root: bool = False) -> None:
    if os.geteuid() != 0:
        return
    if uid is None:
        if may_stay_root:   # root of a user namespace of our own, without capabilities
            return
        raise SystemExit("refusing to run a submission as root")
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.geteuid() == 0 or os.getuid() == 0:
        raise SystemExit("could not drop root privileges")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    fd_in, fd_out, config = int(argv[0]), int(argv[1]), json.loads(argv[2])
    # The submission gets no stdin; fds 1 and 2 stay where the grader pointed them (not the
    # channel), and Python-level prints are captured per request.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    # Directories made for the uid we switch to (mount points above the Python installation)
    # must stay reachable by it, whatever umask the grader was started with.
    os.umask(0o022)
    from . import isolation_inside  # noqa: PLC0415 - only the worker needs it
    isolation_inside.enter(config)
    # Order matters: NPROC does not bind root, so drop first; mounts need privileges, so before.
    drop_privileges(config.get("uid"), config.get("gid"), bool(config.get("drop_capabilities")))
    apply_limits(config.get("rlimits", {}))
    run(fd_in, fd_out, config)


def run(fd_in: int, fd_out: int, config: dict) -> None:
    """Answer the grader until it says exit or goes away, walled off already: what a worker
    started by bubblewrap does after its own start-up, and a worker forked by :mod:`.zygote`."""
    os.chdir(config.get("cwd") or config["submission"])
    # Generators, linalg and friends before the submission can shadow or patch anything.
    import numpy.linalg  # noqa: F401,PLC0415
    import numpy.random  # noqa: F401,PLC0415
    worker = Worker(fd_in, fd_out, config)
    _remember_pristine()
    worker.send({"kind": "hello", "pid": os.getpid(), "uid": os.getuid()})
    try:
        worker.serve()
    except (EOFError, SystemExit):
        pass
    finally:
        os._exit(0)


if __name__ == "__main__":
    main()
