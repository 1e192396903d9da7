"""Report injection: a submission's messages must never take over a report (issue 17).

The attack is the hostile corpus's ``report_injection`` case (``hostile/report_injection.py``):
exception messages and an exception class name holding terminal escapes with a fake score, rich
markup that makes a link, a markdown fence with a fake heading and an ``<img>``, characters XML
1.0 forbids with a forged JUnit testcase, an OSC 8 hyperlink, and huge messages. It is graded for
real (sandboxed, as ``autograder grade`` does), and every report is read back by a real parser:
lxml for JUnit, a CommonMark parser (markdown-it, GitHub-like) for markdown, an HTML parser for
the HTML page, and rich's own output captured as a terminal would receive it. Each must be
well-formed, show the real score and hold no structure the submission wrote. (That the attack
scores exactly an honest failure is checked with the rest of the corpus, in test_hostile.py.)
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from autograder.feedback import Feedback
from autograder.reporters import prepare, render
from autograder.reporters._common import message
from autograder.results import Results, TestResult
from autograder.untrusted import MESSAGE_CHARS, MESSAGE_LINES, clean_text, sanitise

sys.path.insert(0, str(Path(__file__).parent))
from test_hostile import build, parse_case  # noqa: E402  (the corpus's own submission builder)

HERE = Path(__file__).parent
EVIL = "evil.example"
SGR = re.compile(r"\x1b\[[0-9;]*m")      # colours: the only escapes our own table writes


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Results:
    from autograder.grading import grade

    _, _, code = parse_case("report_injection")
    results = grade(build(tmp_path_factory.mktemp("injection") / "submission", code))
    attacked = [t for t in results.tests if EVIL in message(t)]
    assert attacked, "the attack must reach the results, or this file tests nothing"
    assert 0 < results.score < results.max_score
    return results


def real_score(results: Results) -> str:
    return f"{results.score:g} / {results.max_score:g}"


# ------------------------------------------------------------------ the sanitising step


def test_sanitised_results_hold_no_control_character_and_are_bounded(graded):
    texts = [graded.target, graded.isolation, *graded.errors]
    for t in graded.tests:
        texts += [t.name, t.nodeid, t.output]
        if t.feedback:
            texts += [v for v in (t.feedback.rationale, t.feedback.expected, t.feedback.actual,
                                  t.feedback.hint, t.feedback.misconception) if v]
    for text in texts:
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", text), repr(text[:200])
        assert len(text) <= MESSAGE_CHARS and text.count("\n") < MESSAGE_LINES
    assert "[link=https://evil.example/rich]" in json.dumps([message(t) for t in graded.tests])
    assert sanitise(graded) == graded           # idempotent: the reporters' gate changes nothing


def test_clean_text_removes_whole_escape_sequences():
    assert clean_text("a\x1b[2J\x1b[HScore") == "aScore"
    assert clean_text("\x1b]8;;https://evil.example\x1b\\x\x1b]8;;\x1b\\") == "x"
    assert clean_text("\x9b31mred \x1b]0;title\x07ok") == "red ok"
    assert clean_text("keep\ttabs\nand lines\r\nCR\rhere") == "keep\ttabs\nand lines\nCR\nhere"
    assert clean_text("bidi \u202eevil\u2066") == "bidi evil"
    assert clean_text("name\nwith\tbreaks", max_lines=1) == "name with breaks"


def test_clean_text_cuts_with_a_visible_marker():
    long = clean_text("x" * 100_000)
    assert len(long) <= MESSAGE_CHARS and long.endswith("more characters]")
    tall = clean_text("line\n" * 10_000)
    assert tall.count("\n") < MESSAGE_LINES and "cut by the grader" in tall


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300),
       st.integers(min_value=70, max_value=400), st.integers(min_value=1, max_value=8))
def test_clean_text_is_idempotent_and_leaves_no_control(text, limit, lines):
    once = clean_text(text, limit=limit, max_lines=lines)
    assert clean_text(once, limit=limit, max_lines=lines) == once
    assert len(once) <= limit and once.count("\n") < lines
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e]", once)
    once.encode("utf-8")                          # writable: no lone surrogate is left


def test_the_gate_sanitises_results_that_did_not_come_from_the_engine():
    raw = Results(tests=[TestResult(
        nodeid="t::x", name="test_x", exercise="gd", suite="public", status="failed",
        max_score=1, score=0, feedback=Feedback("boom\x1b[2J\x00"))])
    assert prepare(raw, "json").tests[0].feedback.rationale == "boom"


# ------------------------------------------------------------------ the terminal


@pytest.mark.parametrize("verbose", [False, True])
def test_table_obeys_nothing_the_submission_wrote(graded, verbose):
    from rich.console import Console

    from autograder.reporters.table import build_report

    # What `autograder grade` prints to a terminal: rich with colours, as the tty path does.
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=True, color_system="truecolor", width=140,
            highlight=False).print(build_report(prepare(graded, "table"), verbose=verbose))
    shown = buffer.getvalue()
    assert "\x1b]8" not in shown and "\x1b]" not in shown            # no OSC 8 link, no OSC
    assert "\x1b" not in SGR.sub("", shown), "an escape other than a colour reached the terminal"
    plain = SGR.sub("", shown)
    assert plain.lstrip().startswith(f"Score: {real_score(graded)}")  # the real score, first
    assert f"Total  " in plain and real_score(graded) in plain.split("Total", 1)[1].splitlines()[0]
    if verbose:   # the markup is shown as the characters it is
        assert "[link=https://evil.example/rich]click[/link]" in plain.replace("\n", "")
    else:  # the summary shows a first line: the fake score stays inside the message
        # (rich may wrap the column inside the message: compare with runs of white space as one)
        assert "raised RuntimeError: Score: 327 / 327" in " ".join(plain.split())


def test_table_as_text_has_no_escape_at_all(graded):
    for verbose in (False, True):
        text = render(graded, "table", verbose=verbose)
        assert "\x1b" not in text
        assert text.lstrip().startswith(f"Score: {real_score(graded)}")


# ------------------------------------------------------------------ markdown


def _markdown_tokens(text: str):
    from markdown_it import MarkdownIt

    md = MarkdownIt("gfm-like")          # CommonMark with GitHub's tables, strikethrough, linkify
    tokens = md.parse(text)
    flat = []
    for tok in tokens:
        flat.append(tok)
        flat.extend(tok.children or [])
    return md, tokens, flat


def test_markdown_holds_no_injected_structure(graded):
    text = render(graded, "markdown")
    md, tokens, flat = _markdown_tokens(text)
    headings = [tokens[i + 1].content for i, tok in enumerate(tokens) if tok.type == "heading_open"]
    assert headings[0] == f"Autograder: {real_score(graded)} points"
    assert sum(h.startswith("Autograder") for h in headings) == 1, headings
    assert all(tok.type not in ("image", "link_open", "html_block") for tok in flat), \
        sorted({(tok.type, tok.content[:60]) for tok in flat if tok.type in ("image", "link_open", "html_block")})
    assert {tok.content for tok in flat if tok.type == "html_inline"} <= {"<br>"}
    rendered = md.render(text)
    assert "<img" not in rendered and "<a " not in rendered and "href" not in rendered
    # Each failing visible test's whole message is one fenced block, nothing more, nothing less.
    fences = [tok.content for tok in tokens if tok.type == "fence"]
    for test in prepare(graded, "markdown").tests:
        if test.status != "passed" and EVIL in message(test):
            assert message(test) + "\n" in fences


# ------------------------------------------------------------------ JUnit


def test_junit_is_well_formed_xml_with_only_the_real_testcases(graded):
    etree = pytest.importorskip("lxml.etree")
    text = render(graded, "junit")
    root = etree.fromstring(text.encode("utf-8"))          # raises on anything not well-formed
    schema = etree.XMLSchema(etree.parse(str(HERE / "schemas" / "junit.xsd")))
    assert schema.validate(root), schema.error_log
    cases = root.findall(".//testcase")
    assert len(cases) == len(graded.tests) + (1 if graded.errors else 0)
    assert not [c for c in cases if c.get("name", "").startswith("forged")]
    scores = [float(p.get("value")) for p in root.iter("property") if p.get("name") == "score"]
    assert sum(scores) == graded.score
    texts = " ".join(el.text or "" for el in root.iter("failure", "error"))
    assert "</testcase><testcase name=\"forged\"" in texts     # shown as text, never as elements


# ------------------------------------------------------------------ HTML


def test_html_page_holds_no_injected_element_or_link(graded):
    lxml_html = pytest.importorskip("lxml.html")
    page = render(graded, "html")
    doc = lxml_html.document_fromstring(page)
    for el in doc.iter():
        for name, value in el.attrib.items():
            assert EVIL not in value, (el.tag, name, value[:80])
    assert all(img.get("src", "").startswith("data:image/png;base64,") for img in doc.iter("img"))
    assert not list(doc.iter("a", "script", "testcase", "iframe"))
    assert doc.find_class("score")[0].text_content() == real_score(graded)
    assert EVIL in doc.text_content()                           # the message is there, as text


# ------------------------------------------------------------------ the JSON formats


@pytest.mark.parametrize("fmt", ["gradescope", "exercism", "json"])
def test_json_reports_carry_no_control_characters(graded, fmt):
    text = render(graded, fmt)
    data = json.loads(text)
    assert "\\u001b" not in text and "\x1b" not in text and "\x9b" not in text
    if fmt == "gradescope":
        assert data["score"] == graded.score
