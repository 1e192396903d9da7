"""``manifest.json``: what each artifact holds (path, sha256, mode), and what it was built from.

Written beside the zips. ``inputs`` is one sha256 over every file of the checkout the build read
(path and content), so two manifests with the same ``inputs`` came from the same course text;
nothing in the manifest depends on when or where the build ran.
"""

from __future__ import annotations

import hashlib
import json

from .reproducible import Member


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inputs_hash(inputs: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(inputs):
        digest.update(path.encode("utf-8") + b"\0" + sha256(inputs[path]).encode() + b"\n")
    return digest.hexdigest()


def manifest_json(*, engine_version: str, epoch: int, inputs: dict[str, bytes],
                  artifacts: dict[str, tuple[bytes, list[Member]]], extra: dict[str, bytes],
                  skipped: list[str] | None = None) -> str:
    """``artifacts``: zip name -> (its bytes, its members); ``extra``: other files written."""
    doc = {
        "format": 1,
        "engine_version": engine_version,
        "source_date_epoch": epoch,
        "inputs": {"sha256": inputs_hash(inputs), "files": len(inputs)},
        "skipped_producers": list(skipped or []),
        "artifacts": {
            name: {
                "sha256": sha256(data),
                "size": len(data),
                "members": [{"path": m.path, "sha256": sha256(m.data), "size": len(m.data),
                             "mode": oct(m.mode)} for m in sorted(members, key=lambda m: m.path)],
            }
            for name, (data, members) in sorted(artifacts.items())
        },
        "files": {name: {"sha256": sha256(data), "size": len(data)}
                  for name, data in sorted(extra.items())},
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
