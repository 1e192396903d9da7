"""Hidden tests: graded, never shipped to students. Expected values come from the ground-truth
cache (``autograder.ground_truth``), derived with sympy; the tolerances come with them."""
