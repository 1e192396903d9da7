"""The lab's fixed parameters: what the grader asks the notebook to do, and with which arguments.

Everything the checks compare against is derived here or in ``checks.py`` from the lab's
definition (formulas, the architecture's arithmetic), never from running the reference notebook.
"""

from __future__ import annotations

import math

import numpy as np

from ..written import WrittenQuestion

SEED = 0
LEARNING_RATES = (1.0, 0.1, 0.01, 0.001)
HIDDEN = 16
SMALL_HIDDEN = 8                  # the grader's own argument: build_model must honour `hidden`
BATCH_SIZE = 10
VALIDATION_SPLIT = 0.33
N_SAMPLES = len(np.arange(-10, 100, 0.5))      # 220

#: The course's full run; the default on the GPU runner.
FULL_EPOCHS = 250
#: The reduced CPU mode (benchmarks/lab.py measures it). At 20 epochs, on the reference notebook,
#: lr 1.0 ends with a training loss above 100 (the data are standardised: predicting the mean
#: scores 1) while 0.1 is below 1e-3, so "1.0 diverges" and "0.1 converges" both still hold with
#: orders of magnitude to spare. Grading takes 25-35 s on a busy 2-core machine (benchmarks/lab.py).
CPU_EPOCHS = 20

DROPOUT_RATE = 0.5                # for the training/inference behaviour probe
DROPOUT_TRAIN_RATE = 0.2          # the dropout network that is trained (Part 4's experiment)
DROPOUT_TRAIN_LR = 0.01

SURFACE_NAMES = ("convex", "non-convex", "saddle")
SURFACE_LIMIT = "2"               # the square [-2, 2]^2 plotted and searched (exact: ground truth)
SURFACE_GRID = 25                 # the grid the grader asks plot_loss_surfaces for

TEST_FRACTION = 1 / 3             # held out: ceil(n / 3) samples, 74 of 220
EVAL_LR = 0.1                     # the run whose test loss is checked ...
EVAL_EPOCHS = 2                   # ... trained briefly: the check is the arithmetic, not the fit
TIMING_RATES = (0.1, 0.01)        # the rates time_learning_rates is asked to time ...
TIMING_EPOCHS = 2                 # ... for this many epochs each
GPU_COUNTS = (2, 0)               # the fake device lists enable_memory_growth is shown


#: The lab's written questions, in notebook order. ``tests/lab`` checks the source notebook has
#: each as an otter ``manual`` question with these points.
WRITTEN_QUESTIONS = (
    WrittenQuestion("1.3", "surfaces_discussion", 2, "local minima and saddle points"),
    WrittenQuestion("2.3", "activations_discussion", 2, "sigmoid versus tanh; vanishing gradients"),
    WrittenQuestion("3.3", "learning_rate_discussion", 2, "which rate converges, how fast, why 1.0 diverges"),
    WrittenQuestion("4.2", "dropout_discussion", 2, "dropout in training and at inference"),
)


def test_size(n: int = N_SAMPLES) -> int:
    """Samples held out: ceil(n / 3) (74 of 220), the lab's (and its source's) one third."""
    return math.ceil(n * TEST_FRACTION - 1e-9)


def grader_split(seed: int = SEED, n: int = N_SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """The grader's own (training, test) indices, for the test-loss check."""
    order = np.random.default_rng(seed + 1000).permutation(n)
    return order[test_size(n):], order[:test_size(n)]


def parameter_count(hidden: int) -> int:
    """Weights + biases of 1 -> hidden -> hidden -> 1: (1*h + h) + (h*h + h) + (h*1 + 1)."""
    return (hidden + hidden) + (hidden * hidden + hidden) + (hidden + 1)


def steps_per_epoch(n: int = N_SAMPLES, split: float = VALIDATION_SPLIT, batch: int = BATCH_SIZE) -> int:
    """SGD updates per epoch: Keras trains on the first int(n * (1 - split)) samples in batches."""
    return math.ceil(int(n * (1.0 - split)) / batch)


#: The grader's own grid, written exactly (the ground truth's parameters): 5 x-values, 3 y-values.
SURFACE_XS = ["-2", "-1", "0", "1", "2"]
SURFACE_YS = ["-3/2", "1/2", "5/2"]


def surface_points() -> tuple[np.ndarray, np.ndarray]:
    """The grader's own (x, y): a 2-D grid, so element-wise code and shapes are both tested."""
    from fractions import Fraction

    x, y = np.meshgrid([float(Fraction(v)) for v in SURFACE_XS], [float(Fraction(v)) for v in SURFACE_YS])
    return x, y


#: -6 ... 6 in steps of 1/2, written exactly (the ground truth's parameters): includes 0, where
#: relu'(0) is taken as 0.
ACTIVATION_POINTS = [str(k / 2) if k % 2 else str(k // 2) for k in range(-12, 13)]


def activation_points() -> np.ndarray:
    return np.array([float(p) for p in ACTIVATION_POINTS])


def probe_inputs() -> np.ndarray:
    return np.linspace(-1.0, 1.0, 64)


def synthetic_histories() -> dict[float, dict[str, list[float]]]:
    """Histories built by the grader for ``best_learning_rate``.

    The right answer (lowest *final, finite validation* loss) is 0.01; a function that ranks by
    training loss picks 0.1, one that takes the minimum over the run picks 1.0, one that forgets
    the nan may pick 1.0 as well, and a hard-coded 0.1 is caught.
    """
    nan = float("nan")
    return {
        1.0: {"loss": [0.9, nan], "val_loss": [0.05, nan]},
        0.1: {"loss": [0.8, 0.01], "val_loss": [0.9, 0.30]},
        0.01: {"loss": [0.9, 0.10], "val_loss": [0.9, 0.20]},
        0.001: {"loss": [1.0, 0.90], "val_loss": [1.0, 0.95]},
    }


def synthetic_dropout() -> dict[str, list[float]]:
    """Stand-in validation curves for ``plot_dropout_effect`` when the notebook's own runs failed."""
    return {"no dropout": [1.0, 0.5, 0.4], "dropout 0.2": [1.0, 0.7, 0.6]}
