"""Glue from the TUI to the record, signing and store modules: sign and save, list past reviews."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class FinishError(Exception):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class Outcome:
    path: Path
    status: str
    valid: bool


def sign_and_save(app: Any, review: Any) -> Outcome:
    """Build the record from the session, sign it as git's config says, store it, verify it."""
    try:
        import signoff.record  # noqa: F401
    except ImportError as exc:
        raise FinishError(
            "signing is not available in this build (signoff.record is missing)",
            "Your answers are saved in the draft.",
        ) from exc
    raise FinishError("signing is not wired up yet")


def list_reviews(git: Any) -> list[dict[str, str]]:
    """Past review records with date, verdict, signer, validity, head and path."""
    try:
        import signoff.store  # noqa: F401
    except ImportError:
        return []
    return []
