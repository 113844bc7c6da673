"""Build a review record from a finished review, sign it, store it — keeping a draft if signing fails.

Used by ``signoff review --answers FILE`` and by the TUI's finish step:

    record = compose_record(git, target, diff, relevance=..., attribution=..., answers=..., verdict=...)
    path = sign_and_store(git, record, signing_config(git, key=..., fmt=...), draft_key=target.key)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signoff import __version__
from signoff.diff.model import Diff, FileDiff
from signoff.errors import SigningError, UsageError
from signoff.git.runner import Git
from signoff.git.target import ReviewTarget
from signoff.provenance.tools import strongest
from signoff.records.codec import safe_path
from signoff.records.model import (
    AiCommit,
    AiSummary,
    Analysis,
    Answer,
    ChecklistRef,
    Comment,
    Evidence,
    Previous,
    Review,
    Reviewer,
    ReviewRecord,
    utc_now,
)
from signoff.records.store import save_draft, write_record
from signoff.records.subject import subject_for
from signoff.signing.sign import SigningConfig, resolve_signer, sign_record


@dataclass
class AnswerInput:
    """One answered question: ``answer`` pass | fail | na (| skipped), a note, evidence."""

    answer: str
    note: str = ""
    evidence: list[Evidence] = field(default_factory=list)


def compose_record(
    git: Git,
    target: ReviewTarget,
    diff: Diff,
    *,
    verdict: str,
    summary: str = "",
    answers: Mapping[str, AnswerInput] | None = None,
    relevance: Any = None,
    attribution: Any = None,
    thoroughness: str = "medium",
    understanding: str = "medium",
    files_reviewed: Iterable[str] | None = None,
    ai_lines_reviewed: int | None = None,
    ai_seen_definition: str = "files-reviewed/1",
    comments: Iterable[Comment] = (),
    previous: Previous | None = None,
    pending: Iterable[str] = (),
    confirmed: bool = False,
    started: str | None = None,
    finished: str | None = None,
    name: str = "",
    email: str = "",
) -> ReviewRecord:
    """An unsigned record of a review of ``target``.

    ``relevance``: a :class:`signoff.relevance.engine.Relevance` — its checklists go into ``checklists``, its
    triggered questions are listed (``skipped`` when unanswered), answered untriggered ones too.
    ``attribution``: a :class:`signoff.provenance.attribution.Attribution` for the ``[ai]`` section.
    ``files_reviewed``: default every path of the diff. ``ai_lines_reviewed``: default the AI lines in
    the files reviewed (definition ``files-reviewed/1``; the TUI counts ``cursor/1``).
    ``pending``: analysis stages that had not finished (the record says the analysis was incomplete).
    ``[analysis]`` also lists the triggered questions left unanswered and the files not marked reviewed;
    ``confirmed``: the reviewer was shown those and signed anyway.
    A partial diff (one still being read, :attr:`Diff.partial`) is refused: a record covers the change.
    """
    if diff.partial:
        raise UsageError("the diff is still loading: a record covers the whole change")
    answers = dict(answers or {})
    reviewed = sorted(
        {safe_path(p) for p in (files_reviewed if files_reviewed is not None else _paths(diff))}
    )
    checklists, record_answers = _answers(relevance, answers)
    ai = AiSummary(seen_definition=ai_seen_definition)
    if attribution is not None:
        for c in attribution.commits:
            best = strongest(c.signals)
            ai.commits.append(AiCommit(c.sha, best.describe() if best else "ai"))
        ai.lines = int(attribution.ai)
        if ai_lines_reviewed is None:
            ai_lines_reviewed = sum(fa.ai for p, fa in attribution.files.items() if safe_path(p) in reviewed)
        ai.lines_reviewed = min(int(ai_lines_reviewed), ai.lines)
    analysis = _analysis(diff, relevance, record_answers, reviewed, ai, sorted(set(pending)), confirmed)
    now = utc_now()
    return ReviewRecord(
        subject=subject_for(git, target, diff),
        reviewer=Reviewer(name, email, ""),
        review=Review(
            verdict=verdict,
            summary=summary,
            thoroughness=thoroughness,
            understanding=understanding,
            started=started or now,
            finished=finished or now,
            tool=f"signoff {__version__}",
            files_reviewed=reviewed,
        ),
        checklists=checklists,
        answers=record_answers,
        ai=ai,
        comments=list(comments) or None,
        previous=previous,
        analysis=analysis,
    )


def _answers(relevance: Any, answers: dict[str, AnswerInput]) -> tuple[list[ChecklistRef], list[Answer]]:
    """The checklists used and the answers: every triggered question (``skipped`` when unanswered) and
    the answered untriggered ones; :class:`UsageError` for an answer to an unknown question."""
    record_answers: list[Answer] = []
    checklists: list[ChecklistRef] = []
    if relevance is not None:
        for m in relevance.checklists.manifest():
            checklists.append(ChecklistRef(str(m["id"]), str(m.get("version", "")), str(m["sha256"])))
        seen: set[str] = set()
        for r in [*relevance.triggered, *relevance.untriggered]:
            q = r.question
            a = answers.get(q.id)
            if a is None and not r.triggered:
                continue
            seen.add(q.id)
            a = a or AnswerInput("skipped")
            record_answers.append(Answer(q.id, q.text, a.answer, q.severity, a.note, list(a.evidence)))
        unknown = sorted(set(answers) - seen)
    else:
        unknown = []
        for qid, a in sorted(answers.items()):
            record_answers.append(Answer(qid, "", a.answer, "", a.note, list(a.evidence)))
    if unknown:
        raise UsageError(f"unknown question id: {', '.join(unknown)}")
    return checklists, record_answers


def _analysis(
    diff: Diff,
    relevance: Any,
    answers: list[Answer],
    reviewed: list[str],
    ai: AiSummary,
    pending: list[str],
    confirmed: bool,
) -> Analysis:
    """The ``[analysis]`` table: complete unless stages are pending, and what was left open."""
    seen = set(reviewed)
    return Analysis(
        complete=not pending,
        pending=pending,
        unanswered=sorted(a.id for a in answers if a.answer == "skipped" and _triggered(relevance, a.id)),
        unviewed=sorted({p for p in map(safe_path, _paths(diff)) if p not in seen}),
        ai_unseen=max(0, ai.lines - ai.lines_reviewed),
        confirmed=confirmed,
    )


def _triggered(relevance: Any, qid: str) -> bool:
    if relevance is None:
        return True
    r = relevance.result(qid)
    return r is not None and r.triggered


def comment_blobs(diff: Diff, comments: Iterable[Comment]) -> list[Comment]:
    """Comments with ``blob`` pinned to the reviewed blob of their file and side (when known)."""
    by_path: dict[str, FileDiff] = {}
    for f in diff.files:
        for p in (f.old_path, f.new_path):
            if p:
                by_path.setdefault(safe_path(p), f)
    out = []
    for c in comments:
        fd = by_path.get(c.path)
        blob = (fd.new_blob if c.side == "new" else fd.old_blob) if fd is not None else None
        out.append(Comment(c.path, c.lines, c.text, c.side, c.blob or (blob or "")))
    return out


def _paths(diff: Diff) -> list[str]:
    return [f.path for f in diff.files]


def sign_and_store(
    git: Git,
    record: ReviewRecord,
    cfg: SigningConfig,
    *,
    draft_key: str | None = None,
    draft: Mapping[str, Any] | None = None,
) -> Path:
    """Sign ``record`` and write it under ``.signoff/reviews``; return its path.

    On :class:`SigningError` the unsigned record is saved as the draft for ``draft_key`` (when given),
    next to ``draft`` (the review session, ``ReviewSession.to_dict()``, so the TUI can resume it), and
    the error is re-raised with where the draft is.
    """
    try:
        if not record.reviewer.email:
            raise SigningError(
                "no reviewer e-mail: set it the way git does (git config --global user.email you@example.com)"
            )
        signer = resolve_signer(cfg)
        signed = sign_record(record, cfg, signer)
    except SigningError as exc:
        if draft_key is None:
            raise
        path = save_draft(git, draft_key, {**(draft or {}), "record": record.to_dict(signature=False)})
        raise SigningError(f"{exc.message}\nthe review was kept as a draft: {path}") from None
    return write_record(git.root, signed)
