"""The audit's result model: record entries, commit coverage, failed answers, reviewer stats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from signoff import __version__
from signoff.diff.model import MissingObject
from signoff.records.model import ReviewRecord
from signoff.signing.verify import Status

AUDIT_SCHEMA = "signoff.audit/1"
APPROVE = "approve"
PASSING = ("pass", "na")


# --------------------------------------------------------------------------------------------------
# Model

#: How the audit decides that an approval covers a commit (printed in every format).
COVERAGE_RULE = (
    "the gate's coverage check: an approval covers a commit only if its reviewed diff shows exactly "
    "what the commit brought in and the commit agrees with the reviewed head on every reviewed path "
    "(landing only part of an approved change is not covered; merges are checked like any change)"
)


@dataclass
class RecordEntry:
    """One review record and what the audit found about it. Text fields are raw: sanitise to show."""

    path: str
    status: Status
    reason: str = ""
    record: ReviewRecord | None = None
    signer: str = ""
    key: str = ""
    #: False for a version found only in history (deleted or changed since); ``commit`` added it.
    in_tree: bool = True
    commit: str = ""
    #: The reviewed head is on the audited branch (by commit, tree, content or as a merged head).
    landed: bool = False
    #: First-parent commits in scope this approval covers.
    covers: list[str] = field(default_factory=list)
    #: ``None``: not known (not landed, not valid, or the reviewed tree is not in this clone).
    stale: bool | None = None
    stale_paths: list[str] = field(default_factory=list)
    #: Stale, but every changed path has a newer valid approval of its current content.
    superseded: bool = False
    #: Warnings about a valid record, e.g. ``finished-before-head`` (claims to predate what it reviewed).
    flags: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status is Status.VALID

    @property
    def verdict(self) -> str:
        return self.record.review.verdict if self.record else ""

    @property
    def finished(self) -> str:
        return self.record.review.finished if self.record else ""

    @property
    def reviewer(self) -> str:
        """The trusted principal when valid, else the e-mail the record claims."""
        if self.signer:
            return self.signer
        return self.record.reviewer.email if self.record else ""

    @property
    def approval(self) -> bool:
        return self.valid and self.verdict == APPROVE

    @property
    def ai_unseen(self) -> int:
        """AI-attributed lines of the reviewed diff the reviewer never had on screen (the record says)."""
        r = self.record
        return max(0, r.ai.lines - r.ai.lines_reviewed) if r else 0

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "path": self.path,
            "in_tree": self.in_tree,
            "commit": self.commit or None,
            "status": self.status.value,
            "reason": self.reason,
            "reviewer": self.reviewer,
            "name": r.reviewer.name if r else None,
            "key": self.key or (r.reviewer.key if r else None),
            "verdict": self.verdict or None,
            "finished": self.finished or None,
            "subject": {
                "kind": r.subject.kind,
                "base": r.subject.base,
                "head": r.subject.head or None,
                "head_tree": r.subject.head_tree,
                "paths": len(r.subject.paths),
            }
            if r
            else None,
            "landed": self.landed,
            "covers": self.covers,
            "stale": self.stale,
            "stale_paths": self.stale_paths,
            "superseded": self.superseded,
            "flags": self.flags,
            "ai_lines_unseen": self.ai_unseen,
        }


@dataclass
class CommitEntry:
    """A first-parent commit of the audited branch, in scope."""

    sha: str
    subject: str
    author: str
    time: int
    is_merge: bool
    #: Only ``.signoff/reviews/`` changed: needs no review.
    records_only: bool = False
    #: Paths of the valid approvals that cover it, and how the first one matched.
    covered_by: list[str] = field(default_factory=list)
    how: str = ""
    #: Why approvals matched to this commit (a merge of their reviewed head) do not cover it.
    not_covered: list[str] = field(default_factory=list)
    #: AI-signalled commits this commit brought in (itself, or a merged branch's): (sha, reason).
    ai_commits: list[tuple[str, str]] = field(default_factory=list)
    #: Added lines of those AI commits (a git-ai note's exact count when it has one).
    ai_lines: int = 0

    @property
    def reviewed(self) -> bool:
        return self.records_only or bool(self.covered_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "sha": self.sha,
            "subject": self.subject,
            "author": self.author,
            "time": datetime.fromtimestamp(self.time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "merge": self.is_merge,
            "records_only": self.records_only,
            "reviewed": self.reviewed,
            "covered_by": self.covered_by,
            "how": self.how or None,
            "not_covered": self.not_covered,
            "ai_commits": [{"sha": s, "reason": r} for s, r in self.ai_commits],
            "ai_lines": self.ai_lines,
        }


@dataclass
class FailedAnswer:
    """A ``fail`` answer in a valid record, and the later passing review that resolved it (if any)."""

    record: str
    reviewer: str
    finished: str
    question: str
    text: str
    severity: str
    note: str
    resolved_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "reviewer": self.reviewer,
            "finished": self.finished,
            "question": self.question,
            "text": self.text,
            "severity": self.severity or None,
            "note": self.note,
            "resolved_by": self.resolved_by,
        }


@dataclass
class ReviewerStats:
    reviewer: str
    records: int = 0
    valid: int = 0
    invalid: int = 0
    approvals: int = 0
    changes_requested: int = 0
    rejected: int = 0
    commits_covered: int = 0
    stale: int = 0
    last: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class AuditReport:
    """Everything ``signoff audit`` reports; :meth:`to_json` is the ``signoff.audit/1`` document."""

    branch: str
    tip: str | None
    since: str | None
    include_history: bool
    allowed_signers: str | None
    records: list[RecordEntry]
    commits: list[CommitEntry]
    failed: list[FailedAnswer]
    reviewers: list[ReviewerStats]
    stale_is_problem: bool = False
    unreviewed_is_problem: bool = True
    ai_checked: bool = True
    warnings: list[str] = field(default_factory=list)
    #: Scanner findings triaged / left open (signoff.audit.findings.FindingsAudit).
    findings: Any = None
    #: Objects not in this clone (partial clone) that the audit skipped, with commit and path.
    missing: list[MissingObject] = field(default_factory=list)
    generated: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    #: Where trust came from (printed by every command).
    trust: str = ""
    #: Where the ``[audit]``/``[review]``/``[ai]`` settings came from (the target's config, or defaults).
    settings: str = ""

    @property
    def invalid(self) -> list[RecordEntry]:
        return [r for r in self.records if not r.valid]

    @property
    def stale(self) -> list[RecordEntry]:
        """Stale records not superseded by a newer approval."""
        return [r for r in self.records if r.stale and not r.superseded]

    @property
    def unreviewed(self) -> list[CommitEntry]:
        return [c for c in self.commits if not c.reviewed]

    @property
    def ai_unreviewed(self) -> list[CommitEntry]:
        return [c for c in self.unreviewed if c.ai_commits]

    @property
    def outstanding(self) -> list[FailedAnswer]:
        return [f for f in self.failed if f.resolved_by is None]

    def problems(self) -> list[str]:
        """One line per kind of problem found; empty when the audit passes."""
        out = []
        if self.invalid:
            out.append(f"{len(self.invalid)} review record(s) not valid")
        if self.unreviewed_is_problem and self.unreviewed:
            out.append(f"{len(self.unreviewed)} commit(s) on {self.branch} with no valid covering approval")
        ai = self.ai_unreviewed
        if ai:
            lines = sum(c.ai_lines for c in ai)
            out.append(f"{lines} AI-attributed line(s) in {len(ai)} unreviewed commit(s)")
        if self.outstanding:
            out.append(f"{len(self.outstanding)} failed answer(s) with no later passing review")
        if self.stale_is_problem and self.stale:
            out.append(f"{len(self.stale)} stale review(s)")
        if self.findings is not None and self.findings.open:
            out.append(f"{len(self.findings.open)} scanner finding(s) on {self.branch} nobody triaged")
        backdated = [r for r in self.records if "finished-before-head" in r.flags]
        if backdated:
            out.append(f"{len(backdated)} record(s) claim to finish before their reviewed head was committed")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems()

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": AUDIT_SCHEMA,
            "tool": {"name": "signoff", "version": __version__},
            "generated": self.generated,
            "branch": self.branch,
            "tip": self.tip,
            "since": self.since,
            "history": self.include_history,
            "allowed_signers": self.allowed_signers,
            "trust": self.trust,
            "settings": self.settings,
            "coverage": {"check": "gate", "rule": COVERAGE_RULE},
            "ok": self.ok,
            "problems": self.problems(),
            "warnings": self.warnings,
            "summary": {
                "records": len(self.records),
                "valid": sum(r.valid for r in self.records),
                "invalid": len(self.invalid),
                "stale": len(self.stale),
                "commits": len(self.commits),
                "unreviewed": len(self.unreviewed),
                "ai_unreviewed_commits": len(self.ai_unreviewed),
                "ai_unreviewed_lines": sum(c.ai_lines for c in self.ai_unreviewed),
                "failed_outstanding": len(self.outstanding),
                "ai_lines_unseen_in_approvals": sum(r.ai_unseen for r in self.records if r.approval),
                "missing_objects": len(self.missing),
            },
            "missing_objects": [m.to_json() for m in self.missing],
            "records": [r.to_json() for r in self.records],
            "commits": [c.to_json() for c in self.commits],
            "failed_answers": [f.to_json() for f in self.failed],
            "reviewers": [s.to_json() for s in self.reviewers],
            "findings": self.findings.to_json() if self.findings is not None else None,
        }
