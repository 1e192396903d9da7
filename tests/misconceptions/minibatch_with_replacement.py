"""Known mistake 'minibatch-with-replacement' (minibatch_sgd): a wrong implementation a student plausibly writes."""

MISCONCEPTION = "minibatch-with-replacement"
MODULE = "minibatch"


def minibatch_indices(n, batch_size, rng):
    sizes = [min(batch_size, n - start) for start in range(0, n, batch_size)]
    return [rng.choice(n, size=size, replace=True) for size in sizes]
