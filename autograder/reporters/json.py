"""The raw results tree as JSON (what ``--results-json`` writes): for gradebooks and tools."""

from __future__ import annotations

from ..results import Results


def render_json(results: Results) -> str:
    return results.to_json() + "\n"
