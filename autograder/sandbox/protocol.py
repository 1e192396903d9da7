"""The wire between the grader and the worker: length-prefixed frames of JSON plus ``.npy`` arrays.

A *frame* is::

    b"AGW1" | uint32 json_length | uint32 array_count | json bytes
            | (uint64 npy_length | npy bytes) * array_count

The JSON header is an object; values inside it are plain JSON or *tagged* objects
``{"$": tag, ...}`` for what JSON cannot say (tuples, NaN, numpy arrays and scalars, fractions,
complex numbers, Generators travelling as their bit-generator state, call-backs, references to
functions of the submission, named problems rebuilt from trusted code). Arrays travel as ``.npy``
bytes (``np.save``'s format) and are read with numpy's ``.npy`` reader and ``allow_pickle=False``;
only numeric and boolean dtypes are accepted.

Why not pickle (or cloudpickle, or multiprocessing's connection)? Unpickling runs code chosen by
whoever wrote the bytes; here that is the submission. Everything decoded here is built by this
module from a closed list of types, so reading a frame can never run the submission's code.

This file is also copied into the worker's private runtime: it imports only the standard library
and numpy, and nothing from the rest of ``autograder``.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import sys
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Callable

import numpy as np
from numpy.lib import format as npy_format

MAGIC = b"AGW1"
_HEAD = struct.Struct("<4sII")
_ARRAY_LEN = struct.Struct("<Q")

#: Default ceiling of one frame (header plus arrays), in bytes.
DEFAULT_MAX_FRAME = 64 * 1024 * 1024
#: Containers nested deeper than this are refused (a list of a list of ... 10**6 deep).
MAX_DEPTH = 64
#: The same limit in JSON: a tuple adds two JSON levels, a dict three (its items and pairs).
JSON_DEPTH = 3 * (MAX_DEPTH + 2) + 4
#: dtype kinds that may travel: bool, signed, unsigned, float, complex.
ARRAY_KINDS = frozenset("biufc")
#: Bit generators whose state can travel as JSON and be rebuilt on the other side.
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")


class ProtocolError(Exception):
    """A frame or a value that breaks the protocol (too big, malformed, a forbidden type)."""


class FrameTooLarge(ProtocolError):
    def __init__(self, size: int, limit: int, what: str = "a message"):
        self.size, self.limit = size, limit
        super().__init__(f"{what} of {size / 2**20:.1f} MiB is larger than the "
                         f"{limit / 2**20:.0f} MiB limit")


class OverBudget(ProtocolError):
    """A frame that would make the reader build more than its :class:`Budget` allows."""

    def __init__(self, what: str, count: int, limit: int):
        self.what, self.count, self.limit = what, count, limit
        super().__init__(f"{count:,} {what} in one message, over the limit of {limit:,}")


@dataclass(frozen=True)
class Budget:
    """What one frame from the other side may make the reader build, checked before decoding.

    The byte size of a frame says little about what decoding it costs: ``json.loads`` builds
    about 20 bytes of Python objects for each byte of ``[[],[],...]``, and one array referenced
    many times becomes many copies in the code that reads it. So the reader bounds each part:

    ``frame_bytes`` the whole frame; ``json_bytes`` its JSON header (checked before it is read);
    ``containers`` the JSON arrays and objects, ``items`` the values inside them (a key and its
    value count as two) and ``depth`` their nesting, all three counted on the raw bytes before
    ``json.loads`` runs (see :func:`check_json`); ``arrays`` how many ``.npy`` arrays and
    ``array_elements`` their elements in all, read from each array's header before its data.

    The defaults are about 25 times what the largest honest reply of the course needs (a few
    hundred bytes of JSON, 40,000 array elements; a trajectory of 10,000 steps returned as a list
    of arrays is 10,001 arrays), and small enough that a reply at every limit at once costs the
    grader tens of megabytes, not gigabytes.
    """

    frame_bytes: int = DEFAULT_MAX_FRAME
    json_bytes: int = 4 * 2**20
    containers: int = 100_000
    items: int = 250_000
    depth: int = JSON_DEPTH
    arrays: int = 100_000
    array_elements: int = 2**20

    @classmethod
    def frame_only(cls, frame_bytes: int = DEFAULT_MAX_FRAME) -> "Budget":
        """Only the byte size is bounded (frames of the trusted side, read by the worker)."""
        big = sys.maxsize
        return cls(frame_bytes, frame_bytes, big, big, big, 100_000, big)

    def to_wire(self) -> list[int]:
        """The budget as JSON, sent with each request so that the worker can check its reply."""
        return [self.frame_bytes, self.json_bytes, self.containers, self.items, self.depth,
                self.arrays, self.array_elements]

    @classmethod
    def from_wire(cls, data: Any) -> "Budget | None":
        """The budget a request carries, or None where it carries none (or a malformed one)."""
        if type(data) is not list or len(data) != 7 \
                or not all(type(v) is int and v >= 0 for v in data):
            return None
        return cls(*data)

    def for_inputs(self, size: int, multiple: int = 16) -> "Budget":
        """This budget, raised for a call whose inputs hold ``size`` values (array elements and
        the entries of lists, tuples and dicts): its reply may hold ``multiple`` times as many
        values and array elements, in up to 24 bytes of JSON each (a float at full precision).

        Containers are not raised: a flood of empty lists costs the grader 64 bytes for every 3
        it reads, whatever the call sent.
        """
        room = multiple * size
        if room <= min(self.items, self.array_elements):
            return self
        return replace(self, items=max(self.items, room),
                       array_elements=max(self.array_elements, room),
                       json_bytes=min(self.frame_bytes, max(self.json_bytes, 24 * room)))


# ---------------------------------------------------------------------------------- values


class Encoder:
    """Turns a value into JSON-able data plus a list of arrays.

    ``special`` is asked first about every value that is not plain data and may return a tagged
    dict (the parent uses it to register call-backs, the worker to send Generators); returning
    None means "not mine". A tag's ``data`` entry, if any, is encoded as a value itself, so a tag
    can carry numbers and arrays (a named problem's parameters).
    """

    def __init__(self, special: Callable[[Any], dict | None] | None = None):
        self.arrays: list[np.ndarray] = []
        self.items = 0   # entries of the lists, tuples and dicts encoded (see ``size``)
        self._special = special

    @property
    def size(self) -> int:
        """How many values were encoded: array elements plus the entries of containers."""
        return self.items + sum(array.size for array in self.arrays)

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ProtocolError(f"the value is nested more than {MAX_DEPTH} levels deep")
        kind = type(value)
        # Exact type checks: a subclass of int or list could lie in __eq__/__index__; it is either
        # converted through the base type below or refused.
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value
        if kind is float:
            return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
        if kind is list:
            self.items += len(value)
            return [self.encode(v, depth + 1) for v in value]
        if kind is tuple:
            self.items += len(value)
            return {"$": "tuple", "items": [self.encode(v, depth + 1) for v in value]}
        if kind is dict:
            self.items += len(value)
            items = []
            for k, v in value.items():
                if type(k) is not str:
                    raise ProtocolError(f"dict keys must be str, not {type(k).__name__}")
                items.append([k, self.encode(v, depth + 1)])
            return {"$": "dict", "items": items}
        if kind is complex:
            return {"$": "complex", "re": self.encode(value.real), "im": self.encode(value.imag)}
        if kind is Fraction:
            return {"$": "fraction", "n": str(value.numerator), "d": str(value.denominator)}
        if kind is np.ndarray:
            return {"$": "ndarray", "i": self._add(value)}
        if isinstance(value, np.generic) and kind.__module__ == "numpy":
            return {"$": "npscalar", "i": self._add(np.asarray(value))}
        if self._special is not None:
            tagged = self._special(value)
            if tagged is not None:
                if "data" in tagged:   # a tag's own values (a problem's parameters) may be arrays
                    tagged = {**tagged, "data": self.encode(tagged["data"], depth + 1)}
                return tagged
        raise ProtocolError(f"a value of type {kind.__module__}.{kind.__qualname__} cannot be sent "
                            "(plain numbers, strings, lists, tuples, dicts and numeric numpy "
                            "arrays can)")

    def _add(self, array: np.ndarray) -> int:
        if array.dtype.kind not in ARRAY_KINDS or array.dtype.fields is not None:
            raise ProtocolError(f"arrays of dtype {array.dtype} cannot be sent (numeric only)")
        self.arrays.append(array)
        return len(self.arrays) - 1


def generator_state(gen: np.random.Generator) -> dict:
    """The JSON tag of a Generator: its bit generator's name and state (plain ints and strs)."""
    bitgen = gen.bit_generator
    name = type(bitgen).__name__
    if name not in BIT_GENERATORS or type(bitgen).__module__.split(".")[0] != "numpy":
        raise ProtocolError(f"a Generator driven by {name} cannot be sent")
    return {"$": "generator", "state": _plain(bitgen.state)}


def _plain(state: Any) -> Any:
    """A bit-generator state as JSON (MT19937 keeps its key as a uint32 array)."""
    if isinstance(state, dict):
        return {str(k): _plain(v) for k, v in state.items()}
    if isinstance(state, np.ndarray):
        return {"$uint": str(state.dtype), "v": [int(x) for x in state.ravel()]}
    if isinstance(state, (np.integer,)):
        return int(state)
    return state


def _unplain(state: Any) -> Any:
    if isinstance(state, dict):
        if "$uint" in state:
            dtype = state["$uint"]
            if dtype not in ("uint32", "uint64"):
                raise ProtocolError("bad generator state")
            return np.array(state["v"], dtype=dtype)
        return {k: _unplain(v) for k, v in state.items()}
    if isinstance(state, list):
        return [_unplain(v) for v in state]
    return state


def make_generator(tag: dict) -> np.random.Generator:
    """Rebuild a fresh, genuine ``numpy.random.Generator`` from a ``generator`` tag."""
    state = tag.get("state")
    if not isinstance(state, dict) or state.get("bit_generator") not in BIT_GENERATORS:
        raise ProtocolError("bad generator state")
    bitgen = getattr(np.random, state["bit_generator"])()
    try:
        bitgen.state = _unplain(state)
    except (TypeError, ValueError, KeyError) as exc:
        raise ProtocolError(f"bad generator state: {exc}") from None
    return np.random.Generator(bitgen)


def set_generator_state(gen: np.random.Generator, tag: dict) -> None:
    """Move ``gen`` to the state carried by a ``generator`` tag (same bit generator kind only)."""
    fresh = make_generator(tag)
    if type(fresh.bit_generator) is not type(gen.bit_generator):
        raise ProtocolError("a Generator came back driven by another bit generator")
    gen.bit_generator.state = fresh.bit_generator.state


class Decoder:
    """Rebuilds values from JSON data and arrays; knows only the tags of this module.

    ``special`` maps extra tags (``callback``, ``function``, ``generator``, ``problem``) to
    functions that build the local stand-in; an unknown tag is a ProtocolError, never a lookup by
    name. A special tag's ``data`` entry is decoded (with these same rules) before its function
    sees the tag. Each array may be referenced once (the encoder sends every occurrence of an
    array on its own): a list of 100,000 references to one array would otherwise become, in the
    first ``np.asarray`` of a test, 100,000 copies of it.
    """

    def __init__(self, arrays: list[np.ndarray],
                 special: dict[str, Callable[[dict], Any]] | None = None):
        self.arrays = arrays
        self.special = special or {}
        self._taken: set[int] = set()

    def decode(self, data: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH + 2:
            raise ProtocolError("a value is nested too deeply")
        kind = type(data)
        if data is None or kind in (bool, int, float, str):
            return data
        if kind is list:
            return [self.decode(v, depth + 1) for v in data]
        if kind is not dict:
            raise ProtocolError(f"unexpected JSON value of type {kind.__name__}")
        tag = data.get("$")
        if tag == "tuple":
            return tuple(self.decode(v, depth + 1) for v in _list(data, "items"))
        if tag == "dict":
            out = {}
            for pair in _list(data, "items"):
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise ProtocolError("bad dict entry")
                out[pair[0]] = self.decode(pair[1], depth + 1)
            return out
        if tag == "float":
            text = data.get("v")
            if text not in ("nan", "inf", "-inf"):
                raise ProtocolError("bad special float")
            return float(text)
        if tag == "complex":
            re, im = self.decode(data.get("re"), depth + 1), self.decode(data.get("im"), depth + 1)
            if type(re) is not float or type(im) is not float:
                raise ProtocolError("bad complex number")
            return complex(re, im)
        if tag == "fraction":
            n, d = data.get("n"), data.get("d")
            if type(n) is not str or type(d) is not str or len(n) + len(d) > 10_000:
                raise ProtocolError("bad fraction")
            try:
                return Fraction(int(n), int(d))
            except (ValueError, ZeroDivisionError):
                raise ProtocolError("bad fraction") from None
        if tag == "ndarray":
            return self._array(data)
        if tag == "npscalar":
            array = self._array(data)
            if array.ndim != 0:
                raise ProtocolError("a numpy scalar must travel as a 0-d array")
            return array[()]
        if tag in self.special:
            if "data" in data:
                data = {**data, "data": self.decode(data["data"], depth + 1)}
            return self.special[tag](data)
        raise ProtocolError(f"unknown tag {tag!r}")

    def _array(self, data: dict) -> np.ndarray:
        index = data.get("i")
        if type(index) is not int or not 0 <= index < len(self.arrays):
            raise ProtocolError("bad array reference")
        if index in self._taken:
            raise ProtocolError("an array is referenced twice")
        self._taken.add(index)
        return self.arrays[index]


def _list(data: dict, key: str) -> list:
    value = data.get(key)
    if type(value) is not list:
        raise ProtocolError(f"bad {data.get('$')} value")
    return value


# ---------------------------------------------------------------------------------- frames


# Arrays travel in numpy's .npy format (version 1.0), always read with allow_pickle=False.
# numpy's reader parses every header with ast.literal_eval (40 µs, half of a small call's cost),
# so the headers numpy itself writes for plain numeric arrays are written and read here with a
# fixed pattern; any other header goes through numpy's own header parser. Either way the dtype
# and the element count are checked before the data is read, straight into the array's memory.
_NPY_MAGIC = b"\x93NUMPY\x01\x00"
_NPY_HEADER = re.compile(
    rb"\{'descr': '([<>|][biufc][0-9]{1,2})', 'fortran_order': (False|True), "
    rb"'shape': \(((?:[0-9]{1,12}, ?){0,32}[0-9]{0,12})\), \} *\n")


def _npy_bytes(array: np.ndarray) -> bytes:
    key = (array.dtype.str, array.shape)
    start = _NPY_STARTS.get(key)
    if start is None:
        start = _npy_start(*key)
        if len(_NPY_STARTS) >= _NPY_CACHED:
            _NPY_STARTS.clear()
        _NPY_STARTS[key] = start
    return start + np.ascontiguousarray(array).tobytes()


def _npy_start(descr: str, shape: tuple) -> bytes:
    """The magic, length and header of a C-ordered array of ``descr`` and ``shape``."""
    shape = repr(tuple(int(n) for n in shape))
    header = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {shape}, }}"
    # Padded with spaces so the data starts on a 64-byte boundary, as numpy writes it.
    pad = -(len(_NPY_MAGIC) + 2 + len(header) + 1) % 64
    header = (header + " " * pad + "\n").encode("latin1")
    return _NPY_MAGIC + struct.pack("<H", len(header)) + header


# The few shapes and dtypes of a session's arrays, written and read once each: a header costs
# more to build or parse (2 µs) than a small array's data to copy. Bounded: a flood of new
# shapes empties the table. Only headers numpy's own pattern matches are kept, up to 256 bytes.
_NPY_CACHED = 1024
_NPY_STARTS: dict[tuple, bytes] = {}
_NPY_PARSED: dict[bytes, tuple] = {}


def _npy_header(start: bytes, header: bytes) -> tuple[np.dtype, tuple[int, ...], str]:
    """dtype, shape and order of a version 1.0 ``.npy`` header (``start``: magic and length)."""
    parsed = _NPY_PARSED.get(header)
    if parsed is not None:
        return parsed
    match = _NPY_HEADER.fullmatch(header)
    if match is not None:
        shape = tuple(int(n) for n in match.group(3).split(b",") if n.strip())
        parsed = (np.dtype(match.group(1).decode("ascii")), shape,
                  "F" if match.group(2) == b"True" else "C")
        if len(header) <= 256:
            if len(_NPY_PARSED) >= _NPY_CACHED:
                _NPY_PARSED.clear()
            _NPY_PARSED[header] = parsed
        return parsed
    try:   # numpy's own parser: any header it writes; it never unpickles
        shape, fortran, dtype = npy_format.read_array_header_1_0(io.BytesIO(start[8:] + header))
    except Exception as exc:  # noqa: BLE001 - any malformed header is a protocol error
        raise ProtocolError(f"malformed array: {type(exc).__name__}: {exc}") from None
    return dtype, tuple(shape), "F" if fortran else "C"


def pack(header: dict, arrays: list[np.ndarray] = (), *, max_frame: int = DEFAULT_MAX_FRAME) -> bytes:
    """One frame: ``header`` as JSON (no NaN tokens: the encoder tags them) and the arrays."""
    body = _JSON_ENCODE(header).encode()
    parts = [b"", body]
    size = _HEAD.size + len(body)
    for array in arrays:
        npy = _npy_bytes(array)
        size += _ARRAY_LEN.size + len(npy)
        if size > max_frame:
            raise FrameTooLarge(size + array.nbytes, max_frame)
        parts += [_ARRAY_LEN.pack(len(npy)), npy]
    if size > max_frame:
        raise FrameTooLarge(size, max_frame)
    parts[0] = _HEAD.pack(MAGIC, len(body), len(arrays))
    return b"".join(parts)


def encode_message(header: dict, values: dict[str, Any], *, special=None,
                   max_frame: int = DEFAULT_MAX_FRAME, encoder: Encoder | None = None) -> bytes:
    """A frame whose header holds ``header`` plus the encoded ``values`` (by key); pass an
    ``encoder`` to learn afterwards what was sent (its ``arrays`` and ``size``)."""
    encoder = encoder or Encoder(special)
    message = dict(header)
    for key, value in values.items():
        message[key] = encoder.encode(value)
    return pack(message, encoder.arrays, max_frame=max_frame)


def check_outgoing(frame: bytes, arrays: list[np.ndarray], budget: Budget) -> None:
    """Raise what the reader of ``frame`` (packed with ``arrays``) would raise for it under
    ``budget``, before it is sent: the worker checks its own replies, so that an honest answer
    too large to read is reported as such, not taken for an attack that costs it its worker."""
    _, body_len, count = _HEAD.unpack_from(frame)
    if len(frame) > budget.frame_bytes:
        raise FrameTooLarge(len(frame), budget.frame_bytes)
    if body_len > budget.json_bytes:
        raise FrameTooLarge(body_len, budget.json_bytes, "a JSON header")
    if count > budget.arrays:
        raise OverBudget("arrays", count, budget.arrays)
    check_json(frame[_HEAD.size:_HEAD.size + body_len], budget)
    elements = sum(array.size for array in arrays)
    if elements > budget.array_elements:
        raise OverBudget("array elements", elements, budget.array_elements)


# A JSON string, escapes included (unrolled so that the regular expression never backtracks).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def check_json(body: bytes, budget: Budget) -> None:
    """Refuse a JSON text with more containers, values or nesting than ``budget``, before
    ``json.loads`` builds any of it.

    Counting bytes runs at memory speed (well under a microsecond for a reply of a few hundred
    bytes) and gives upper bounds: every array or object opens with ``[`` or ``{``, every value
    but the first of its container follows a comma, every object value a colon, and nesting
    cannot be deeper than the number of containers. Only when a bound is over the budget are
    the strings (where these characters may appear too) taken out and the exact counts made.
    """
    if len(body) <= min(budget.containers, budget.items, budget.depth):
        return   # most replies: n bytes hold at most n of anything
    containers = body.count(b"[") + body.count(b"{")
    values = containers + body.count(b",") + body.count(b":")
    if containers <= min(budget.containers, budget.depth) and values <= budget.items:
        return
    bare = _JSON_STRING.sub(b'""', body)
    containers = bare.count(b"[") + bare.count(b"{")
    if containers > budget.containers:
        raise OverBudget("JSON arrays and objects", containers, budget.containers)
    values = containers + bare.count(b",") + bare.count(b":")
    if values > budget.items:
        raise OverBudget("JSON values", values, budget.items)
    if containers > budget.depth:
        depth = _depth(bare.translate(None, _NOT_BRACKETS))
        if depth > budget.depth:
            raise OverBudget("levels of nesting", depth, budget.depth)


def _depth(brackets: bytes) -> int:
    """The deepest nesting of a run of brackets, in slices (a bounded temporary array)."""
    codes = np.frombuffer(brackets, np.uint8)
    deepest = level = 0
    for start in range(0, len(codes), 1 << 16):
        # "[" and "{" have bit 1 set, "]" and "}" do not.
        levels = np.where(codes[start:start + (1 << 16)] & 2, 1, -1).cumsum() + level
        deepest, level = max(deepest, int(levels.max())), int(levels[-1])
    return deepest


def parse_json(body: bytes) -> dict:
    try:
        text = body.decode("utf-8")
        if text.startswith("\ufeff"):   # as json.loads says it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        header = _JSON_DECODE(text)
    except RecursionError:
        raise ProtocolError("the message is nested too deeply") from None
    except MemoryError:
        raise ProtocolError("the message is too large to decode") from None
    except ValueError as exc:   # malformed JSON, bad UTF-8, an integer of more than 4300 digits
        raise ProtocolError(f"malformed message: {str(exc)[:200]}") from None
    if type(header) is not dict:
        raise ProtocolError("a message header must be a JSON object")
    return header


def _no_constants(name: str):
    raise ProtocolError(f"bare {name} in a message (JSON has no NaN or Infinity)")


# One encoder and one decoder for every frame: ``json.dumps``/``json.loads`` with options build
# a new one at each call, which costs as much as encoding or decoding a small header. Both keep
# no state between calls (the encoder's check for circular values starts afresh each time).
_JSON_ENCODE = json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode
_JSON_DECODE = json.JSONDecoder(parse_constant=_no_constants).decode


class FrameReader:
    """Reads whole frames from a byte source ``read(n) -> bytes`` (b"" at end of file).

    Every frame is read within a :class:`Budget` (``budget``, or the one given to
    :meth:`read_frame`); without one, only its size is bounded, by ``max_frame``. Small parts
    are read ahead in blocks of 64 KiB (a frame is many small parts: one system call each would
    cost more than checking them), kept for the next part; large ones are read as they are needed.
    """

    _AHEAD = 1 << 16

    def __init__(self, read: Callable[[int], bytes], max_frame: int = DEFAULT_MAX_FRAME,
                 budget: Budget | None = None):
        self._read = read
        self.max_frame = max_frame
        self.budget = budget or Budget.frame_only(max_frame)
        self._ahead, self._at = b"", 0   # bytes read ahead, and how many of them were taken
        self.last_size = 0               # the bytes of the last frame read

    def _exactly(self, n: int) -> bytes:
        end = self._at + n
        if end <= len(self._ahead):
            self._at = end
            return self._ahead[end - n:end]
        chunks = [self._ahead[self._at:]]
        have = len(chunks[0])
        while have < n:
            chunk = self._read(max(min(n - have, 1 << 20), self._AHEAD))
            if not chunk:
                raise EOFError("the other side closed the channel")
            chunks.append(chunk)
            have += len(chunk)
        data = b"".join(chunks)
        # Keep only what was read beyond n (under 64 KiB), never a large part already taken.
        self._ahead, self._at = data[n:], 0
        return data[:n] if have > n else data

    def _fill(self, view: memoryview) -> None:
        """Read exactly ``len(view)`` bytes into ``view`` (an array's memory: no second copy)."""
        done = min(len(self._ahead) - self._at, len(view))
        view[:done] = memoryview(self._ahead)[self._at:self._at + done]
        self._at += done
        while done < len(view):
            chunk = self._read(min(len(view) - done, 1 << 20))
            if not chunk:
                raise EOFError("the other side closed the channel")
            view[done:done + len(chunk)] = chunk
            done += len(chunk)

    def read_frame(self, budget: Budget | None = None) -> tuple[dict, list[np.ndarray]]:
        budget = budget or self.budget
        magic, body_len, count = _HEAD.unpack(self._exactly(_HEAD.size))
        if magic != MAGIC:
            raise ProtocolError("not a protocol frame (bad magic)")
        size = _HEAD.size + body_len
        if size > budget.frame_bytes:
            raise FrameTooLarge(size, budget.frame_bytes)
        if body_len > budget.json_bytes:
            raise FrameTooLarge(body_len, budget.json_bytes, "a JSON header")
        if count > budget.arrays:
            raise OverBudget("arrays", count, budget.arrays)
        body = self._exactly(body_len)
        check_json(body, budget)
        header = parse_json(body)
        del body
        arrays, room = [], budget.array_elements
        for _ in range(count):
            (length,) = _ARRAY_LEN.unpack(self._exactly(_ARRAY_LEN.size))
            size += _ARRAY_LEN.size + length
            # The size is checked before reading, so a 10 GB answer is refused unread.
            if size > budget.frame_bytes:
                raise FrameTooLarge(size, budget.frame_bytes)
            array = self._array(length, room)
            room -= array.size
            arrays.append(array)
        self.last_size = size
        return header, arrays

    def _array(self, length: int, room: int) -> np.ndarray:
        """One ``.npy`` array of ``length`` bytes and at most ``room`` elements, read with
        ``allow_pickle=False`` semantics: its header is checked before any of its data is read."""
        start = self._exactly(min(length, 10))
        if len(start) < 10 or start[:8] != _NPY_MAGIC:
            raise ProtocolError("malformed array: not a version 1.0 .npy array")
        (header_len,) = struct.unpack("<H", start[8:10])
        if 10 + header_len > length:
            raise ProtocolError("malformed array: its header is longer than the array")
        dtype, shape, order = _npy_header(start, self._exactly(header_len))
        if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype:
            raise ProtocolError(f"refused array of dtype {dtype}: only numeric and boolean "
                                "dtypes may travel")
        elements = math.prod(shape)
        if elements > room:
            raise OverBudget("array elements", elements, room)
        if length - 10 - header_len != elements * dtype.itemsize:
            raise ProtocolError("malformed array: its data does not match its shape")
        nbytes = elements * dtype.itemsize
        if self._at + nbytes <= len(self._ahead):   # already read ahead: one copy out of it
            flat = np.frombuffer(self._ahead, dtype, elements, self._at).copy()
            self._at += nbytes
        else:
            flat = np.empty(elements, dtype)
            if elements:
                self._fill(memoryview(flat.view(np.uint8)))
        return flat.reshape(shape, order=order)


def fd_reader(fd: int) -> Callable[[int], bytes]:
    return lambda n: os.read(fd, n)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
