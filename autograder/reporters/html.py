"""A self-contained HTML report: score, every exercise's tests, hints, and pictures of failures.

One file, no network: CSS inline, images as base64 PNG data URIs. For an optimiser test that
failed with trajectory data (``expect_close(..., plot=...)``) the report draws the submission's
trajectory against the expected one on the objective's contour plot (or curve, in 1-D), with the
loss-versus-step curves beside it; for other numeric failures, expected and actual values side by
side. Hidden tests show the reporters' fixed sentence instead of their details unless
``show_hidden`` (the same :func:`~._common.conceal` every format uses).
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from ..objectives import OBJECTIVES
from ..results import Results, TestResult
from ._common import by_exercise_in_course_order, conceal, infrastructure_line, lab_line, manual_summary

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:60rem;
color:#1d2330;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem} .meta{color:#5b6475;font-size:.9rem}
.score{font-size:2rem;font-weight:700} .bar{height:.6rem;background:#e6e9ef;border-radius:.3rem}
.bar>span{display:block;height:100%;background:#2e8b57;border-radius:.3rem}
section{border:1px solid #dde1e8;border-radius:.5rem;margin:1.2rem 0;padding:.4rem 1rem}
section h2{font-size:1.1rem;display:flex;justify-content:space-between}
table{border-collapse:collapse;width:100%} td,th{padding:.3rem .5rem;border-top:1px solid #eef0f4;
vertical-align:top;text-align:left} .st{font-weight:600;white-space:nowrap}
.passed{color:#2e7d32} .failed{color:#c62828} .error{color:#ad5700} .skipped{color:#6b7280}
pre{white-space:pre-wrap;background:#f6f7f9;padding:.5rem;border-radius:.3rem;margin:.3rem 0;font-size:.85rem}
.mis{background:#fff4e5;border-left:4px solid #f59e0b;padding:.4rem .6rem;margin:.3rem 0}
img{max-width:100%;height:auto;display:block;margin:.4rem 0}
"""


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _arrays(data: dict) -> tuple[np.ndarray, np.ndarray]:
    as_array = lambda values, shape: np.array(  # noqa: E731
        [np.nan if v is None else v for v in values], dtype=float).reshape(shape)
    return as_array(data["expected"], data["shape"]), as_array(data["actual"], data["actual_shape"])


def _trajectory_figure(data: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    expected, actual = _arrays(data)
    obj = OBJECTIVES.get(data.get("plot", ""))
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    if obj is not None and obj.dims == 1 and expected.ndim == 1:
        pts = np.concatenate([expected, actual.ravel()])
        pts = pts[np.isfinite(pts)]
        lo, hi = pts.min(), pts.max()
        pad = 0.15 * (hi - lo) + 0.5
        xs = np.linspace(lo - pad, hi + pad, 400)
        left.plot(xs, obj.f(xs), color="#9aa3b2", lw=1)
        left.plot(expected, obj.f(expected), "o-", color="#2e8b57", ms=3, label="expected")
        if actual.ndim == 1:
            left.plot(actual, obj.f(actual), "x--", color="#c62828", ms=4, label="yours")
        left.set_xlabel("x")
    elif obj is not None and obj.dims == 2 and expected.ndim == 2 and expected.shape[1] == 2:
        pts = np.concatenate([expected, actual.reshape(-1, 2)]) if actual.size % 2 == 0 else expected
        pts = pts[np.isfinite(pts).all(axis=1)]
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        px, py = 0.15 * (x1 - x0) + 0.5, 0.15 * (y1 - y0) + 0.5
        gx, gy = np.meshgrid(np.linspace(x0 - px, x1 + px, 200), np.linspace(y0 - py, y1 + py, 200))
        left.contour(gx, gy, obj.f(gx, gy), levels=25, cmap="Greys", linewidths=0.6)
        left.plot(expected[:, 0], expected[:, 1], "o-", color="#2e8b57", ms=3, label="expected")
        if actual.ndim == 2 and actual.shape[1] == 2:
            left.plot(actual[:, 0], actual[:, 1], "x--", color="#c62828", ms=4, label="yours")
        left.set_xlabel("x1")
        left.set_ylabel("x2")
    else:
        left.plot(expected.ravel(), "o", color="#2e8b57", label="expected")
        left.plot(actual.ravel(), "x", color="#c62828", label="yours")
        left.set_xlabel("index")
    left.set_title(obj.label if obj else "values")
    left.legend(fontsize=8)
    if obj is not None:
        loss = lambda traj: obj.f(traj) if obj.dims == 1 else obj.f(traj[:, 0], traj[:, 1])  # noqa: E731
        right.plot(loss(expected), "o-", color="#2e8b57", ms=3, label="expected")
        if actual.shape == expected.shape:
            right.plot(loss(actual), "x--", color="#c62828", ms=4, label="yours")
        right.set_xlabel("step")
        right.set_ylabel("loss")
        right.set_title("loss versus step")
        right.legend(fontsize=8)
    else:
        right.axis("off")
    fig.tight_layout()
    url = _png(fig)
    plt.close(fig)
    return url


def _test_row(test: TestResult) -> str:
    esc = html.escape
    detail = ""
    fb = test.feedback
    if test.status != "passed" and fb is not None:
        detail = f"<pre>{esc(fb.render())}</pre>"
        if fb.misconception:
            # The diagnosis puts the mistake's own message in the hint.
            detail += (f'<div class="mis"><b>Known mistake: {esc(fb.misconception)}.</b> '
                       f"{esc(fb.hint or '')}</div>")
        if fb.data:
            try:
                detail += ('<img alt="your trajectory against the expected one" '
                           f'src="{_trajectory_figure(fb.data)}">')
            except Exception as exc:  # noqa: BLE001 - a picture is a bonus, never a crash
                detail += f"<p>(no picture: {esc(type(exc).__name__)})</p>"
    name = esc(test.name) if test.visibility == "visible" else f"{esc(test.name)} (hidden)"
    points = (esc(manual_summary(test)) if test.status == "manual"
              else f"{test.score:g}/{test.max_score:g}")
    return (f'<tr><td class="st {test.status}">{test.status}</td><td>{name}{detail}</td>'
            f"<td>{points}</td></tr>")


def render_html(results: Results, *, show_hidden: bool = False, title: str = "Grading report") -> str:
    esc = html.escape
    if not show_hidden:
        results = conceal(results)
    infra = infrastructure_line(results)
    if infra is not None:   # nothing was graded: the line, and no score
        return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{esc(title)}</title><style>{CSS}</style></head><body>\n"
                f"<h1>{esc(title)}: not graded</h1>\n<p class=\"error\">{esc(infra)}</p>\n"
                "</body></html>")
    groups = results.by_exercise()
    percent = 100 * results.score / results.max_score if results.max_score else 0.0
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{esc(title)}</h1><p class=\"meta\">{esc(results.course)} · target {esc(results.target)}"
             f" · isolation {esc(results.isolation)}</p>",
             f'<p class="score">{results.score:g} / {results.max_score:g}</p>'
             f'<div class="bar"><span style="width:{percent:.1f}%"></span></div>']
    if results.manual:
        parts.append(f'<p class="manual">Written questions graded by hand (not in the score): '
                     f"{len(results.manual)}, {sum(t.manual_points for t in results.manual):g} points.</p>")
    if lab_line(results):
        parts.append(f'<p class="meta">{esc(lab_line(results))}</p>')
    for error in results.errors:
        parts.append(f'<p class="failed">{esc(error)}</p>')
    for ex in (results.exercise(k) for k in by_exercise_in_course_order(results)):
        tests = groups[ex.id]
        got = sum(t.score for t in tests)
        total = sum(t.max_score for t in tests)
        rows = "".join(_test_row(t) for t in tests)
        hint = (f"<p><b>Hint:</b> {esc(ex.hint)}</p>"
                if ex.hint and any(t.status != "passed" for t in tests) else "")
        parts.append(f'<section id="{esc(ex.id)}"><h2><span>{esc(ex.title)}</span>'
                     f"<span>{got:g} / {total:g}</span></h2>{hint}<table>{rows}</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts)
