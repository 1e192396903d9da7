"""The course's grading engine: targets, structured feedback, scoring and reports."""

__version__ = "0.1.0"
