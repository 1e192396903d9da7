"""Known mistake 'minibatch-drop-last' (minibatch_sgd): a wrong implementation a student plausibly writes."""

MISCONCEPTION = "minibatch-drop-last"
MODULE = "minibatch"


def minibatch_indices(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n - batch_size + 1, batch_size)]
