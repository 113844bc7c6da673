"""Exceptions with a user-facing message and the exit code the CLI maps them to.

Exit codes (documented in the README):
    0  success, or nothing to review
    1  a check failed (verify, gate, audit found problems)
    2  usage error: bad arguments or a bad input file
    3  repository error: not a repository, unknown revision, no commits, shallow history, ...
    4  signing error: no key configured, agent locked, signer program failed
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_REPO = 3
EXIT_SIGNING = 4


class SignoffError(Exception):
    """Base class: carries a one-line message for the user and an exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(SignoffError):
    """Bad arguments or a bad input file."""

    exit_code = EXIT_USAGE


class RepoError(SignoffError):
    """The repository cannot be used as asked (not a repo, bad revision, ...)."""

    exit_code = EXIT_REPO


class GitCommandError(RepoError):
    """A git command failed; ``stderr`` holds git's own words."""

    def __init__(self, message: str, stderr: str = "", returncode: int | None = None) -> None:
        super().__init__(message)
        self.stderr = stderr
        self.returncode = returncode


class SigningError(SignoffError):
    """Signing could not be done; the message says what to configure."""

    exit_code = EXIT_SIGNING


class GitTimeoutError(RepoError):
    """A git process ran (or stayed silent) longer than the per-call limit and was stopped."""
