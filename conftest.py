# The course's pytest plugin: --target, the `target` fixture, points and visibility markers.
pytest_plugins = ["autograder.pytest_plugin"]
