"""A long-lived grading worker for batch runs: one JSON job per line in, one JSON result out.

A pool of these is cheaper than a process per submission (pytest, numpy and the engine are
imported once), yet each can be killed on its own when a submission overruns, which
``concurrent.futures`` pools cannot do. The submission itself still runs in the sandbox that
``autograder.grading.grade`` starts; this process only holds trusted code.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def grade_payload(student: str, suffix: str, payload: bytes, isolate: bool = True) -> dict:
    """Grade one packed submission; always returns a dict, never raises."""
    from ..grading import grade
    from .discover import safe_name

    started = time.time()
    with tempfile.TemporaryDirectory(prefix="grade-all-") as tmp:
        path = Path(tmp) / f"{safe_name(student)}{suffix}"
        path.write_bytes(payload)
        try:
            results = grade(path, isolate=isolate)
        except Exception as exc:  # noqa: BLE001 - the batch records it and goes on
            return {"error": f"the grader failed: {type(exc).__name__}: {exc}",
                    "started_at": started, "duration_s": time.time() - started}
    return {"results": results.to_dict(), "started_at": started,
            "duration_s": time.time() - started}


def main() -> int:
    # The protocol owns the real stdout; anything else printing (pytest, a library) goes to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        job = json.loads(line)
        reply = grade_payload(job["student"], job["suffix"], base64.b64decode(job["payload"]),
                              job.get("isolate", True))
        reply["job"] = job["job"]
        protocol.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
