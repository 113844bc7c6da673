"""Headless analysis of a review target: the diff plus the sections later stages add (AI, questions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from signoff.config import load_repo_config, section
from signoff.diff.model import Diff, DiffOptions
from signoff.diff.parse import load_diff
from signoff.findings.mapping import load_map
from signoff.findings.placement import Findings, attach, collect
from signoff.git.runner import Git
from signoff.git.target import ReviewTarget


def diff_options(git: Git, max_file_size: int | None = None) -> DiffOptions:
    """Diff options: ``[diff] max_file_bytes`` from the repo config, overridden by ``max_file_size``
    (``--max-file-size``)."""
    options = DiffOptions()
    limit = section(load_repo_config(git.root), "diff").get("max_file_bytes")
    if isinstance(limit, int) and limit > 0:
        options.max_file_bytes = limit
    if max_file_size:
        options.max_file_bytes = max_file_size
    return options


@dataclass
class ScanResult:
    """Everything ``signoff scan`` reports about one target."""

    target: ReviewTarget
    diff: Diff
    #: AI provenance (signoff.provenance.attribution), when computed.
    ai: Any = None
    #: Checklist relevance (signoff.relevance.engine), when computed.
    questions: Any = None
    #: Scanner findings (signoff.findings.placement.Findings), when SARIF files were given.
    findings: Findings | None = None


def analyze(
    git: Git,
    target: ReviewTarget,
    options: DiffOptions | None = None,
    *,
    ai: bool = True,
    questions: bool = True,
    include_opt_in: Sequence[str] = (),
    sarif: Sequence[str] = (),
) -> ScanResult:
    """Load the diff for ``target`` and run the analyses available (``ai=False`` skips provenance,
    ``questions=False`` skips checklist relevance; ``include_opt_in`` names opt-in checklists; ``sarif``
    names scanner output files whose findings are placed on the diff and tied to questions)."""
    diff = load_diff(git, target, options)
    result = ScanResult(target=target, diff=diff)
    if ai:
        from signoff.provenance.attribution import attribute

        result.ai = attribute(git, target, diff)
    if questions:
        from signoff.relevance.engine import evaluate

        result.questions = evaluate(git, diff, result.ai, include_opt_in=include_opt_in)
    if sarif:
        checklists = result.questions.checklists if result.questions is not None else None
        result.findings = collect(git, diff, sarif, load_map(git.root, checklists))
        if result.questions is not None:
            attach(result.questions, result.findings)
    return result
