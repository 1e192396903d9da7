"""Every derivation, by topic. Importing this package registers them all (see registry.py)."""

from . import (activations, calculus, distributions, normalization, optimizers,  # noqa: F401
               symmetry)
from . import adaptive_more, batchnorm_training, conditioning, depth, minibatch, newton_method, schedules  # noqa: F401,E402 - second half (issue 22)
