"""signoff: a terminal security-review assistant for git diffs."""

__version__ = "0.1.0"
