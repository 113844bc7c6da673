"""One module per ``signoff`` subcommand: each exposes ``register(subparsers)``."""
