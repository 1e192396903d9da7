"""The lab worker's private /tmp must not hide an interpreter that lives in /tmp (CI's venv does)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder.lab.sandbox import _MOUNT_SCRIPT, _NAMESPACES, isolation_mode


@pytest.mark.skipif(isolation_mode() != "unshare+ro", reason="mount namespaces are not available here")
def test_directories_kept_under_tmp_stay_visible_and_read_only():
    with tempfile.TemporaryDirectory(dir="/tmp") as outside, tempfile.TemporaryDirectory() as work:
        tool = Path(outside) / "bin" / "tool"
        tool.parent.mkdir()
        tool.write_text("#!/bin/sh\necho inside > /tmp/written && echo ran && touch \"$0.new\" 2>/dev/null"
                        " && echo writable || echo read-only\n")
        tool.chmod(0o755)
        run = lambda keep: subprocess.run(  # noqa: E731
            _NAMESPACES + ["--mount-proc", "sh", "-c", _MOUNT_SCRIPT, "t", work, "", keep, str(tool)],
            capture_output=True, text=True, timeout=30)
        hidden = run("")
        assert hidden.returncode != 0          # without keeping it, the new /tmp hides the tool
        kept = run(outside)
        assert kept.returncode == 0, kept.stderr
        assert kept.stdout.split() == ["ran", "read-only"]
        assert (Path(work) / "written").read_text() == "inside\n"   # /tmp inside is the work dir
        assert not os.path.exists(f"{tool}.new")
