"""Time the Keras lab's grading: reduced and full epochs, on the CPU and (where one is present) on a GPU.

    python benchmarks/lab.py                       # CPU: reduced + full; GPU too when nvidia-smi lists one
    python benchmarks/lab.py --no-full-cpu         # skip the slow full-epoch CPU run (about 3 minutes here)
    python benchmarks/lab.py --epochs 250 --reduced 20

Every row grades the reference notebook (lab/keras_lab.ipynb) end to end through grade_lab: the
spawned, sandboxed worker, TensorFlow's import, five training runs (four learning rates and the
dropout network), the plots and the checks. Ratios are against the reduced CPU run measured in
the same invocation, and the GPU's speed-up against the CPU at the same epochs.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.lab import CPU_EPOCHS, FULL_EPOCHS, SOURCE, gpu_present  # noqa: E402
from autograder.lab.grade import grade_lab_with_run  # noqa: E402


def gpu_name() -> str:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "GPU"
    return out.splitlines()[0] if out else "GPU"


def measure(device: str, epochs: int) -> dict:
    results, worker = grade_lab_with_run(SOURCE, epochs=epochs, device=device)
    timings = worker.data.get("timings", {}) if worker else {}
    training = sum(v for k, v in timings.items() if k.startswith("train_") or k == "dropout_training")
    return {"device": device, "epochs": epochs, "wall": results.execution_time,
            "import": timings.get("import", float("nan")), "training": training,
            "score": f"{results.score:g}/{results.max_score:g}",
            "devices": ",".join(worker.data.get("devices", [])) if worker else "",
            "isolation": results.isolation,
            "final_loss": {lr: float(worker.arrays[f"history_{i}_loss"][-1])
                           for i, lr in enumerate((1.0, 0.1, 0.01, 0.001)) if f"history_{i}_loss" in worker.arrays},
            "dropout_val": (float(worker.arrays["history_2_val_loss"][-1]),
                            float(worker.arrays["dropout_history_val_loss"][-1]))
            if "dropout_history_val_loss" in worker.arrays and "history_2_val_loss" in worker.arrays else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=FULL_EPOCHS, help="the full run (default 250)")
    parser.add_argument("--reduced", type=int, default=CPU_EPOCHS, help="the CPU mode (default %(default)s)")
    parser.add_argument("--no-full-cpu", action="store_true", help="skip the full-epoch CPU run")
    args = parser.parse_args(argv)

    plan = [("cpu", args.reduced)] + ([] if args.no_full_cpu else [("cpu", args.epochs)])
    has_gpu = gpu_present()
    if has_gpu:
        plan += [("gpu", args.reduced), ("gpu", args.epochs)]
    rows = []
    for device, epochs in plan:
        print(f"grading on {device} with {epochs} epochs ...", file=sys.stderr, flush=True)
        rows.append(measure(device, epochs))

    base = rows[0]["wall"]
    cpu_at = {r["epochs"]: r["wall"] for r in rows if r["device"] == "cpu"}
    print(f"Keras lab grading, {platform.node()} ({platform.processor() or platform.machine()}), "
          f"GPU: {gpu_name() if has_gpu else 'none (not measured on a GPU)'}")
    print(f"{'device':6} {'epochs':>6} {'wall s':>8} {'import s':>8} {'train s':>8} {'x reduced CPU':>13} "
          f"{'GPU speed-up':>12} {'score':>7}  TF devices")
    for r in rows:
        speedup = (f"{cpu_at[r['epochs']] / r['wall']:.2f}x" if r["device"] == "gpu" and r["epochs"] in cpu_at
                   else "-")
        print(f"{r['device']:6} {r['epochs']:>6} {r['wall']:>8.1f} {r['import']:>8.1f} {r['training']:>8.1f} "
              f"{r['wall'] / base:>12.2f}x {speedup:>12} {r['score']:>7}  {r['devices']}")
    print(f"isolation: {rows[0]['isolation']}")
    for r in rows:
        losses = ", ".join(f"{lr:g}: {v:.3g}" for lr, v in r["final_loss"].items())
        extra = (f"; val loss at lr 0.01 without / with dropout 0.2: {r['dropout_val'][0]:.3g} / {r['dropout_val'][1]:.3g}"
                 if r["dropout_val"] else "")
        print(f"final training loss ({r['device']}, {r['epochs']} epochs): {losses}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
