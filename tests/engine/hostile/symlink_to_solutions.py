# attacked: *
# symlink: {REPO}/solutions/gradient_descent.py
# The submission's gradient_descent.py is a symlink to the reference solution.
