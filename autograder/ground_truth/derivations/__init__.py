"""Every derivation, by topic. Importing this package registers them all (see registry.py)."""

from . import (activations, calculus, distributions, lab, nonconvex, normalization,  # noqa: F401
               optimizers, symmetry)
