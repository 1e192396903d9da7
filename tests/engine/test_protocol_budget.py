"""The protocol bounds what a reply makes the grader build: bytes, containers, values, nesting,
arrays and their elements, each checked before the part it bounds is decoded.

A worker can write any bytes to its pipe, so these tests build frames by hand, the way a hostile
submission would (see ``hostile/reply_*.py`` for the same attacks through a real worker).
"""

from __future__ import annotations

import dataclasses
import io
import json
import struct
import time

import numpy as np
import pytest

from autograder.feedback import SubmissionError
from autograder.sandbox import protocol as P
from autograder.sandbox.isolation import Limits
from autograder.sandbox.proxy import reply_budget, sandbox_target


def frame(body: bytes, arrays: list[bytes] = ()) -> bytes:
    out = P._HEAD.pack(P.MAGIC, len(body), len(arrays)) + body
    return out + b"".join(P._ARRAY_LEN.pack(len(a)) + a for a in arrays)


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


class Source:
    """A byte source that counts what was read from it."""

    def __init__(self, data: bytes):
        self.stream, self.taken = io.BytesIO(data), 0

    def read(self, n: int) -> bytes:
        chunk = self.stream.read(n)
        self.taken += len(chunk)
        return chunk


def read(data: bytes, budget: P.Budget | None = None, **fields):
    budget = budget or P.Budget(**fields)
    return P.FrameReader(Source(data).read, budget=budget).read_frame()


def test_honest_replies_pass_the_default_budget_unchanged():
    value = {"x": np.arange(6.0).reshape(2, 3), "steps": [1.5, (2, "a, [b] {c}: d")],
             "nested": [[[[[[1]]]]]], "f": np.float32(2.5)}
    header, arrays = read(P.encode_message({"kind": "result"}, {"value": value}), P.Budget())
    back = P.Decoder(arrays).decode(header["value"])
    assert back["steps"] == [1.5, (2, "a, [b] {c}: d")] and back["nested"] == [[[[[[1]]]]]]
    assert np.array_equal(back["x"], value["x"]) and back["x"].flags.writeable


def test_a_flood_of_empty_lists_is_refused_before_json_loads_builds_it(monkeypatch):
    body = b'{"value":[' + b"[]," * 200_000 + b"[]]}"
    monkeypatch.setattr(P.json, "loads", lambda *a, **k: pytest.fail("decoded anyway"))
    with pytest.raises(P.OverBudget, match="JSON arrays and objects"):
        read(frame(body))
    # Values are bounded on their own: 300,000 zeros are one container.
    with pytest.raises(P.OverBudget, match="JSON values"):
        read(frame(b'{"value":[' + b"0," * 300_000 + b"0]}"))


def test_a_header_over_the_json_limit_is_refused_unread():
    source = Source(frame(b'{"value":"' + b"x" * 5_000_000 + b'"}'))
    with pytest.raises(P.FrameTooLarge, match="JSON header"):
        P.FrameReader(source.read, budget=P.Budget()).read_frame()
    assert source.taken <= P.FrameReader._AHEAD     # one block read ahead, not the 5 MB


def test_brackets_commas_and_colons_inside_strings_do_not_count():
    text = "[{,:" * 200_000                       # 800,000 of each, all inside one string
    body = json.dumps({"kind": "raised", "message": text}).encode()
    header, _ = read(frame(body))
    assert header["message"] == text
    deep_text = "[" * 1000                        # looks 1000 levels deep, is not
    header, _ = read(frame(json.dumps({"m": deep_text, "v": [[0]] * 300}).encode()))
    assert header["m"] == deep_text


def test_nesting_is_bounded_before_and_while_decoding():
    deep = b'{"value":' + b"[" * 300 + b"0" + b"]" * 300 + b"}"
    with pytest.raises(P.OverBudget, match="levels of nesting"):
        read(frame(deep))
    # Within the JSON budget but deeper than any value the encoder sends: the decoder refuses it.
    header, arrays = read(frame(b'{"value":' + b"[" * 100 + b"0" + b"]" * 100 + b"}"))
    with pytest.raises(P.ProtocolError, match="nested too deeply"):
        P.Decoder(arrays).decode(header["value"])
    # Every value the encoder accepts (64 levels of dicts, three JSON levels each) still passes.
    value = 0
    for _ in range(P.MAX_DEPTH):
        value = {"k": value}
    header, arrays = read(P.encode_message({}, {"value": value}))
    assert P.Decoder(arrays).decode(header["value"]) == value


@pytest.mark.parametrize("value", [b"9" * 5000, b"[1.0, " + b"9" * 5000 + b"]",
                                   b'{"$":"fraction","n":"' + b"7" * 9000 + b'","d":"3"}'])
def test_huge_integers_are_protocol_errors_not_value_errors(value):
    with pytest.raises(P.ProtocolError):
        header, arrays = read(frame(b'{"value":' + value + b"}"))
        P.Decoder(arrays).decode(header["value"])


@pytest.mark.parametrize("token", [b"NaN", b"Infinity", b"-Infinity", b"[1, NaN]"])
def test_bare_nan_and_infinity_are_protocol_errors(token):
    with pytest.raises(P.ProtocolError, match="JSON has no NaN"):
        read(frame(b'{"value":' + token + b"}"))


def test_array_elements_are_checked_before_the_data_is_read():
    data = frame(b'{"value":{"$":"ndarray","i":0}}', [npy(np.zeros(2_000_000))])
    source = Source(data)
    with pytest.raises(P.OverBudget, match="array elements"):
        P.FrameReader(source.read, budget=P.Budget()).read_frame()
    assert source.taken <= P.FrameReader._AHEAD     # one block read ahead, not the 16 MB
    # The budget is for the whole frame, not for each array.
    many = frame(b"{}", [npy(np.zeros(300_000))] * 4)
    with pytest.raises(P.OverBudget, match="array elements"):
        read(many)
    with pytest.raises(P.OverBudget, match="arrays"):
        read(frame(b"{}", [npy(np.zeros(0))] * 5), P.Budget(arrays=4))
    # A trajectory returned as a list of 10,001 arrays is an honest answer.
    steps = [np.zeros(2) for _ in range(10_001)]
    header, arrays = read(P.encode_message({}, {"value": steps}), P.Budget())
    assert len(P.Decoder(arrays).decode(header["value"])) == 10_001


def test_an_array_with_a_lying_shape_or_dtype_is_refused():
    good = npy(np.zeros(4))
    lying = good.replace(b"(4,)", b"(9,)")
    with pytest.raises(P.ProtocolError, match="does not match its shape"):
        read(frame(b"{}", [lying]))
    with pytest.raises(P.ProtocolError, match="refused array"):
        read(frame(b"{}", [npy(np.array(["text"]))]))


def test_arrays_written_by_numpy_itself_still_arrive_exactly():
    for array in (np.arange(12, dtype=">i4").reshape(3, 4), np.asfortranarray(np.eye(3)),
                  np.array([1 + 2j], dtype=np.complex64), np.zeros((0, 3), dtype=bool)):
        header, arrays = read(frame(b'{"v":{"$":"ndarray","i":0}}', [npy(array)]))
        back = P.Decoder(arrays).decode(header["v"])
        assert back.dtype == array.dtype and np.array_equal(back, array) and back.flags.writeable


def test_one_array_referenced_many_times_is_refused():
    refs = b",".join([b'{"$":"ndarray","i":0}'] * 2)
    header, arrays = read(frame(b'{"value":[' + refs + b"]}", [npy(np.zeros(3))]))
    with pytest.raises(P.ProtocolError, match="referenced twice"):
        P.Decoder(arrays).decode(header["value"])


def test_the_budget_grows_with_what_the_call_sends():
    limits = Limits.from_env()
    small = reply_budget(limits, 10)
    assert small == P.Budget(frame_bytes=limits.max_frame_bytes)
    large = reply_budget(limits, 1_000_000)
    assert large.array_elements == large.items == 16_000_000
    assert large.json_bytes == limits.max_frame_bytes      # 24 bytes a value, up to the frame
    assert (large.containers, large.depth) == (small.containers, small.depth)
    assert reply_budget(limits, 100_000).json_bytes == 24 * 16 * 100_000
    encoder = P.Encoder()
    P.encode_message({}, {"args": (np.zeros((10, 10)), [1, 2, 3])}, encoder=encoder)
    assert encoder.size == 100 + 3 + 2        # elements, list items, the tuple's two entries
    assert P.Budget.from_wire(large.to_wire()) == large
    assert len(large.to_wire()) == len(dataclasses.fields(P.Budget))
    assert P.Budget.from_wire(None) is None and P.Budget.from_wire([1, 2]) is None


def test_the_worker_checks_its_own_reply_exactly_as_the_grader_reads_it():
    budget = P.Budget(items=1000, array_elements=100)
    for value, refused in (([0.5] * 900, False), ([0.5] * 1100, True),
                           (np.zeros(100), False), ((np.zeros(60), np.zeros(41)), True)):
        encoder = P.Encoder()
        data = P.encode_message({"kind": "result"}, {"value": value}, encoder=encoder)
        outcomes = []
        for check in (lambda: P.check_outgoing(data, encoder.arrays, budget),
                      lambda: read(data, budget)):
            try:
                check()
                outcomes.append(False)
            except P.OverBudget:
                outcomes.append(True)
        assert outcomes == [refused, refused], value


# ------------------------------------------------------------------ through a worker

RAW_REPLY = '''
import os, struct, sys, time
import numpy as np

def _local(name):
    # The worker's own variables, however it was started (by bubblewrap or forked): its reply
    # pipe is run()'s fd_out, the request being answered serve()'s call_id.
    frame = sys._getframe()
    while name not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals[name]

def _reply(value):
    body = b'{"kind":"result","id":%d,"value":%s}' % (_local("call_id"), value)
    os.write(_local("fd_out"), struct.pack("<4sII", b"AGW1", len(body), 0) + body)
    time.sleep(60)

def flood():
    _reply(b"[" + b"[]," * 200_000 + b"[]]")

def huge_int():
    _reply(b"9" * 5000)

def endless():
    os.write(_local("fd_out"), struct.pack("<4sII", b"AGW1", 1000, 0) + b"[[")
    time.sleep(60)

def ones(n):
    return np.ones(n)

def grow(x, factor):
    return np.ones(int(x.size * factor))

def fine():
    return 1.5
'''


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    root = tmp_path_factory.mktemp("raw")
    (root / "raw.py").write_text(RAW_REPLY)
    target = sandbox_target(root, limits=Limits.from_env(call_timeout=2.0, repeat_timeout=1.0))
    try:
        target.isolation
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"no sandbox here: {exc}")
    yield target
    target.close()


@pytest.mark.parametrize("name, words", [("flood", "sent back too much data"),
                                         ("huge_int", "broke the grading protocol"),
                                         ("endless", "timed out")])
def test_a_hostile_reply_fails_its_call_and_the_next_call_gets_a_fresh_worker(raw, name, words):
    starts = raw._worker.starts
    with pytest.raises(SubmissionError, match=words):
        getattr(raw.raw, name)()
    assert raw.raw.fine() == 1.5
    assert raw._worker.starts == starts + 1


def test_a_reply_is_bounded_by_what_the_call_sent(raw):
    assert raw.raw.ones(1000).shape == (1000,)
    starts = raw._worker.starts
    # An honest answer over the budget: the worker checks its reply against the budget the
    # request carries and says so, instead of sending it and being killed for it.
    with pytest.raises(SubmissionError, match="cannot read: 2,000,000 array elements") as refused:
        raw.raw.grow(np.zeros(10), 200_000)
    assert "numpy arrays" in refused.value.feedback.hint
    # 2,000,000 elements answering 200,000 are within 16 times the call's inputs.
    assert raw.raw.grow(np.zeros(200_000), 10).shape == (2_000_000,)
    assert raw._worker.starts == starts


def test_the_caller_may_pass_a_budget_of_its_own(raw):
    reply, _ = raw._worker.request({"kind": "call", "module": "raw", "name": "ones"},
                                   {"args": (100,), "kwargs": {}},
                                   budget=P.Budget(array_elements=10))
    assert reply["kind"] == "unsendable" and "100 array elements" in reply["message"]
    assert raw.raw.fine() == 1.5


def test_a_worker_that_ignores_its_budget_is_killed_for_it(raw, monkeypatch):
    # The worker's own check is a courtesy to honest code; the grader's reader decides.
    monkeypatch.setattr(P.Budget, "to_wire", lambda self: None)
    starts = raw._worker.starts
    with pytest.raises(SubmissionError, match="sent back too much data") as refused:
        raw.raw.grow(np.zeros(10), 200_000)
    assert "an array of its size" in refused.value.feedback.hint
    assert raw.raw.fine() == 1.5 and raw._worker.starts == starts + 1


def test_decoding_counts_against_the_calls_deadline_and_the_submissions_budget(raw, monkeypatch):
    real = P.Decoder.decode

    def slow(self, data, depth=0):   # a decoder that takes longer than the call may
        if depth == 0:
            time.sleep(2.5)
        return real(self, data, depth)

    used = raw._worker.used
    monkeypatch.setattr(P.Decoder, "decode", slow)
    with pytest.raises(SubmissionError, match="timed out after 2 s"):
        raw.raw.ones(3)
    monkeypatch.undo()
    assert raw._worker.used - used >= 2.5
    assert raw.raw.fine() == 1.5


def test_remembered_array_headers_stay_few_and_each_array_is_its_own():
    # The .npy headers a session has seen are parsed once (a table of at most _NPY_CACHED, of
    # small headers only): a reply with thousands of new shapes cannot grow it without bound,
    # and two arrays of one shape never share memory.
    arrays = [np.zeros((1, n)) for n in range(P._NPY_CACHED + 50)]
    header, back = read(P.encode_message({"kind": "result"}, {"value": arrays}), P.Budget())
    assert len(P._NPY_PARSED) <= P._NPY_CACHED and len(P._NPY_STARTS) <= P._NPY_CACHED
    assert [a.shape for a in back] == [a.shape for a in arrays]
    data = P.encode_message({"kind": "result"}, {"value": [np.arange(3.0), np.arange(3.0)]})
    header, (a, b) = read(data, P.Budget())
    a[0] = 7.0
    assert b[0] == 0.0 and a.flags.writeable and not np.shares_memory(a, b)
    # A header of more than 256 bytes (numpy's own pattern, padded) is parsed, not remembered.
    text = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
    long = (text + " " * (320 - 10 - len(text) - 1) + "\n").encode("latin1")
    array = P._NPY_MAGIC + struct.pack("<H", len(long)) + long + np.arange(3.0).tobytes()
    header, (back,) = read(frame(b'{"value": {"$": "ndarray", "i": 0}}', [array]), P.Budget())
    assert back.tolist() == [0.0, 1.0, 2.0] and long not in P._NPY_PARSED
