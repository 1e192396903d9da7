# attacked: sgd
# Returns a Generator subclass and scrambles the Generator it was lent.
import numpy as np
class Rigged(np.random.Generator):
    def normal(self, *a, **k): return 0.0
def sgd(grad, x0, eta, num_steps, rng, noise_std=1.0, lr_schedule=None):
    rng.bit_generator.state = np.random.PCG64(123).state
    return Rigged(np.random.PCG64(0))
