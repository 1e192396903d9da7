"""A correct count_equivalent_solutions written differently: a running product, no math.factorial."""

MODULE = "symmetry"


def count_equivalent_solutions(d, odd_activation=False):
    count = 1
    for k in range(2, d + 1):
        count *= k
    if odd_activation:
        for _ in range(d):
            count *= 2
    return count
