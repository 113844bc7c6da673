"""Headless analysis of a review target: the diff plus the sections later stages add (AI, questions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from signoff.diff import Diff, DiffOptions, load_diff
from signoff.gitio import Git, ReviewTarget


@dataclass
class ScanResult:
    """Everything ``signoff scan`` reports about one target."""

    target: ReviewTarget
    diff: Diff
    #: AI provenance (signoff.provenance), when computed.
    ai: Any = None
    #: Checklist relevance (signoff.relevance), when computed.
    questions: Any = None


def analyze(
    git: Git,
    target: ReviewTarget,
    options: DiffOptions | None = None,
    *,
    ai: bool = True,
    questions: bool = True,
    include_opt_in: Sequence[str] = (),
) -> ScanResult:
    """Load the diff for ``target`` and run the analyses available (``ai=False`` skips provenance,
    ``questions=False`` skips checklist relevance; ``include_opt_in`` names opt-in checklists)."""
    diff = load_diff(git, target, options)
    result = ScanResult(target=target, diff=diff)
    if ai:
        from signoff.provenance import attribute

        result.ai = attribute(git, target, diff)
    if questions:
        from signoff.relevance import evaluate

        result.questions = evaluate(git, diff, result.ai, include_opt_in=include_opt_in)
    return result
