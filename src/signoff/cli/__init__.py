"""The ``signoff`` command line: ``main`` plus one module per subcommand (``register(subparsers)``)."""

from signoff.cli.main import main

__all__ = ["main"]
