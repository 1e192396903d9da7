"""Known mistake 'dropout-keep-vs-drop' (dropout): a wrong implementation a student plausibly writes."""



MISCONCEPTION = "dropout-keep-vs-drop"
MODULE = "dropout"


def keep_probability(num_dropped, num_units):
    return num_dropped / num_units
