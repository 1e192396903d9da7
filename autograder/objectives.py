"""The course's objectives as plain numpy functions, for drawing (never for grading).

Reports draw a submission's trajectory on the contour plot of the function it was minimising;
tests name the function with ``expect_close(..., plot="<name>")``. Expected values never come
from here: they come from the sympy ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Objective:
    name: str
    label: str
    dims: int
    f: Callable[..., np.ndarray]  # 1-D: f(x); 2-D: f(x, y), both broadcasting


OBJECTIVES = {o.name: o for o in (
    Objective("x^2", "f(x) = x²", 1, lambda x: x ** 2),
    Objective("x^3", "f(x) = x³", 1, lambda x: x ** 3),
    Objective("x*cos(pi*x)", "f(x) = x cos(πx)", 1, lambda x: x * np.cos(np.pi * x)),
    Objective("x*cos(0.15*pi*x)", "f(x) = x cos(0.15πx)", 1, lambda x: x * np.cos(0.15 * np.pi * x)),
    Objective("x^2+y^2", "f(x, y) = x² + y²", 2, lambda x, y: x ** 2 + y ** 2),
    Objective("x^2-y^2", "f(x, y) = x² − y²", 2, lambda x, y: x ** 2 - y ** 2),
    Objective("sin(x^2)+cos(y^2)", "f(x, y) = sin(x²) + cos(y²)", 2,
              lambda x, y: np.sin(x ** 2) + np.cos(y ** 2)),
    Objective("x1^2+2*x2^2", "f(x) = x₁² + 2x₂²", 2, lambda x, y: x ** 2 + 2 * y ** 2),
    Objective("0.1*x1^2+2*x2^2", "f(x) = 0.1x₁² + 2x₂²", 2, lambda x, y: 0.1 * x ** 2 + 2 * y ** 2),
    Objective("rosenbrock", "Rosenbrock (1 − x)² + 100(y − x²)²", 2,
              lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2),
)}


def objective(name: str) -> Objective:
    if name not in OBJECTIVES:
        raise KeyError(f"unknown objective {name!r}; known: {sorted(OBJECTIVES)}")
    return OBJECTIVES[name]
