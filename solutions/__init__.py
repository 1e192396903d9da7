"""Exercises for a unit on optimisation for neural networks.

Each module is one topic; each function's docstring is its assignment text. Run ``pytest`` to
check your work against the public tests.
"""
