"""The HTML report: self-contained, renders in a real headless browser, pictures load."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.reporters import HIDDEN_SENTENCE
from autograder.reporters.html import render_html
from autograder.results import Results

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "build" / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def half_step_submission(parent: Path) -> Path:
    """The solutions with gradient descent taking half steps: trajectories to draw."""
    sub = parent / "sub"
    sub.mkdir()
    for f in (ROOT / "solutions").glob("*.py"):
        shutil.copy(f, sub / f.name)
    gd = sub / "gradient_descent.py"
    gd.write_text(gd.read_text().replace("x = x - eta * np.asarray(grad(x)",
                                         "x = x - 0.5 * eta * np.asarray(grad(x)"))
    return sub


@pytest.fixture(scope="module")
def graded_results(tmp_path_factory) -> Results:
    """Real results: the solutions with gradient descent taking half steps."""
    tmp = tmp_path_factory.mktemp("html")
    sub = half_step_submission(tmp)
    out = tmp / "results.json"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    f"--target={sub}", f"--results-json={out}", "tests/public"],
                   cwd=ROOT, capture_output=True, timeout=300)
    return Results.from_dict(json.loads(out.read_text()))


def test_report_is_self_contained_and_shows_the_failure(graded_results):
    page = render_html(graded_results)
    assert 0 < graded_results.score < graded_results.max_score
    assert "http://" not in page and "https://" not in page  # nothing fetched from a network
    assert page.count("data:image/png;base64,") >= 2         # both gd trajectories drawn
    assert "the trajectory is wrong" in page
    assert f"{graded_results.score:g} / {graded_results.max_score:g}" in page


def test_hidden_tests_show_only_the_fixed_sentence(graded_results):
    failing = next(t for t in graded_results.tests if t.status == "failed")
    failing.visibility = "after_due_date"
    page = render_html(graded_results)
    assert HIDDEN_SENTENCE in page
    assert render_html(graded_results, show_hidden=True).count(HIDDEN_SENTENCE) == 0
    failing.visibility = "visible"


def test_same_results_same_bytes(graded_results):
    assert render_html(graded_results) == render_html(graded_results)


BROWSER_SCRIPT = r"""
import json, sys
from playwright.sync_api import sync_playwright
page_url, chromium, shot = sys.argv[1:4]
errors = []
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"])
    try:
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: errors.append("request failed: " + r.url))
        page.goto(page_url)
        widths = page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
        heading = page.text_content("h1")
        page.screenshot(path=shot, full_page=True)
    finally:
        browser.close()
print(json.dumps({"errors": errors, "widths": widths, "heading": heading}))
"""


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium here (apt-get install chromium)")
def test_report_renders_in_headless_chromium(graded_results, tmp_path):
    pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(graded_results), encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    # The browser runs in its own session: Chromium's process tree stays away from pytest's.
    proc = subprocess.run([sys.executable, "-c", BROWSER_SCRIPT, page_file.as_uri(), CHROMIUM,
                           str(shot)], capture_output=True, text=True, timeout=180,
                          start_new_session=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["heading"] == "Grading report"
    assert seen["widths"] and all(w > 0 for w in seen["widths"]), seen["widths"]
    assert not seen["errors"], seen["errors"]
    assert shot.stat().st_size > 10_000


def test_hidden_optimizer_failures_are_drawn_on_their_objective(tmp_path):
    """Through `grade()` (path scrubbing included): the Rosenbrock and x*cos(pi*x) trajectories."""
    from autograder.grading import grade

    sub = half_step_submission(tmp_path)
    results = grade(sub, isolate=False, tests=[ROOT / "tests" / "hidden"])
    drawn = {t.name for t in results.tests if t.feedback and t.feedback.data}
    assert any("rosenbrock" in name for name in drawn), drawn
    assert any("x*cos(pi*x)" in name for name in drawn), drawn
    page = render_html(results, show_hidden=True)
    row = page[page.index("rosenbrock"):]
    assert row[:row.index("</tr>")].count("data:image/png;base64,") == 1
