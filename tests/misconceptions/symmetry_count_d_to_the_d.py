"""Known mistake 'symmetry-count-d-to-the-d' (permutation_symmetry): a wrong implementation a student plausibly writes."""



MISCONCEPTION = "symmetry-count-d-to-the-d"
MODULE = "symmetry"


def count_equivalent_solutions(d, odd_activation=False):
    count = d ** d
    return 2 ** d * count if odd_activation else count
