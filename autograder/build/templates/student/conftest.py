# The course's pytest plugin: the `target` fixture, points, feedback and --results-json.
pytest_plugins = ["autograder.pytest_plugin"]
