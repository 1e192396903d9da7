"""Placeholder: this topic is being written."""
