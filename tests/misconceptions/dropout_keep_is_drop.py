"""Known mistake 'dropout-keep-is-drop' (dropout): a wrong implementation a student plausibly writes."""



MISCONCEPTION = "dropout-keep-is-drop"
MODULE = "dropout"


def keep_probability(num_dropped, num_units):
    return num_dropped / num_units
