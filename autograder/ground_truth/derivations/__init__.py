"""Every derivation, by topic. Importing this package registers them all (see registry.py)."""

from . import (activations, calculus, distributions, lab, nonconvex, normalization,  # noqa: F401
               optimizers, symmetry)
# the second half of the course (issue 22)
from . import (adaptive_more, batchnorm_training, conditioning, depth, minibatch,  # noqa: F401,E402
               newton_method, saddles, schedules, symmetry_breaking)
