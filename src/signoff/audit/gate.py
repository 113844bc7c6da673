"""The merge gate: does this change carry enough valid, current, signed approvals?

Trust and policy come from the **target** branch's tip (:mod:`signoff.signing.trustroot`,
:mod:`signoff.audit.policy`), never from the change, its merge-base or the work tree.
:func:`run_gate` passes only when

1. at least ``min_approvals`` distinct people (:func:`signoff.audit.votes.people`) approved the change:
   each one's latest valid record about the change is an ``approve`` whose reviewed diff contains the
   change's diff (:mod:`signoff.audit.coverage`), by someone who neither wrote, committed nor signed a
   commit of the change (``[gate] allow_self_approval``), viewing every changed file, at the required
   thoroughness, answering every triggered question of ``answer_severity`` or above
   (:func:`signoff.audit.votes.incomplete`);
2. no person's latest vote is ``reject`` or ``changes-requested`` (``[gate] reject_blocks``);
3. no valid record about the change has a ``fail`` answer of ``block_severity`` or above (severity from
   the target's checklists) that a later record does not answer ``pass``/``na``;
4. every checklist in ``[gate] required_checklists`` was used by a counted approval with none of its
   questions skipped.

Records are evidence that cannot be withdrawn: every record version committed on the target's history or
in the change's commits counts (:mod:`signoff.audit.evidence`), plus the work tree's uncommitted ones.
A record is *about the change* when its reviewed head is the change's head (or an earlier head that
differs only by added review records) or its reviewed diff contains the change's diff. Keys are judged
at the gate's own clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from signoff import __version__
from signoff.audit.change import ChangeCommit, change_commits, head_aliases
from signoff.audit.coverage import (
    DROPPED,
    RECORDS_PREFIX,
    Claim,
    PathChange,
    coverage_gaps,
    gap_reason,
    needs_review,
    tree_diff,
)
from signoff.audit.evidence import load_evidence
from signoff.audit.policy import SEVERITIES, GatePolicy, gate_policy
from signoff.audit.report import APPROVE, PASSING, RecordEntry
from signoff.audit.run import check_head_trees, reviewed_base, reviewed_tree
from signoff.audit.votes import TargetQuestions, incomplete, people, target_questions
from signoff.errors import UsageError
from signoff.git.runner import EMPTY_TREE, Git
from signoff.git.target import ReviewTarget
from signoff.records.model import ReviewRecord
from signoff.signing.trustroot import CONFIG, Target, TrustRoot, load_trust_root, root_verifier
from signoff.signing.verify import Verifier
from signoff.util.sanitize import ascii_visible

GATE_SCHEMA = "signoff.gate/1"
BLOCKING_VERDICTS = ("reject", "changes-requested")


class CountReason(StrEnum):
    """Why a record about the change counts as an approval or not (``why`` is the human wording)."""

    APPROVED = "approved"
    VERDICT = "verdict"
    INVALID = "invalid"
    #: Its reviewed diff does not contain the change's diff.
    PARTIAL_BASE = "partial-base"
    INCOMPLETE = "incomplete-analysis"
    SUPERSEDED = "superseded"
    SELF_APPROVAL = "self-approval"
    #: Not a full approval: files not viewed, thoroughness too low, triggered questions unanswered.
    PARTIAL_REVIEW = "partial-review"


@dataclass
class Counted:
    """A record considered by the gate, and whether and why it counts."""

    entry: RecordEntry
    counts: bool
    reason: CountReason
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        e = self.entry
        return {
            "path": e.path,
            "reviewer": e.reviewer,
            "key": e.key or None,
            "verdict": e.verdict or None,
            "finished": e.finished or None,
            "status": e.status.value,
            "counts": self.counts,
            "reason": self.reason.value,
            "why": self.why,
        }


@dataclass
class Blocker:
    record: str
    reviewer: str
    question: str
    text: str
    severity: str
    note: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class GateResult:
    """The gate's verdict for one change; ``missing`` says exactly what is lacking."""

    spec: str
    base: str
    head: str
    head_tree: str
    policy: GatePolicy
    target: Target
    trust_source: str
    policy_source: str
    approvals: list[Counted] = field(default_factory=list)
    considered: list[Counted] = field(default_factory=list)
    #: Latest votes of reject / changes-requested.
    rejects: list[Counted] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    checklists_missing: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Changed paths that need review (added review records left out).
    changed: list[str] = field(default_factory=list)
    #: Review records the change deletes or edits.
    touched_records: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.missing

    @property
    def min_approvals(self) -> int:
        return self.policy.min_approvals

    @property
    def block_severity(self) -> str:
        return self.policy.block_severity

    @property
    def required_checklists(self) -> list[str]:
        return self.policy.required_checklists

    @property
    def approvers(self) -> list[str]:
        return [c.entry.reviewer for c in self.approvals]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": GATE_SCHEMA,
            "tool": {"name": "signoff", "version": __version__},
            "passed": self.passed,
            "change": {
                "spec": self.spec,
                "base": self.base,
                "head": self.head,
                "head_tree": self.head_tree,
                "paths": len(self.changed),
            },
            "target": {"ref": self.target.ref, "commit": self.target.commit, "how": self.target.how},
            "policy": {**self.policy.__dict__, "trust": self.trust_source, "config": self.policy_source},
            "approvals": [c.to_json() for c in self.approvals],
            "rejects": [c.to_json() for c in self.rejects],
            "records": [c.to_json() for c in self.considered],
            "blocking_answers": [b.to_json() for b in self.blockers],
            "checklists_missing": self.checklists_missing,
            "missing": self.missing,
            "warnings": self.warnings,
        }


# --------------------------------------------------------------------------------------------------
# The gate


@dataclass
class _Change:
    """What the gate knows about the change while judging it."""

    target: ReviewTarget
    base_tree: str
    head_tree: str
    gated: list[PathChange]
    commits: list[ChangeCommit]
    alias_commits: set[str]
    alias_trees: set[str]

    @property
    def paths(self) -> list[str]:
        return [c.path for c in self.gated]

    def about_head(self, record: ReviewRecord) -> bool:
        head, tree = reviewed_tree(record.subject)
        return (head is not None and head in self.alias_commits) or (
            tree is not None and tree in self.alias_trees
        )

    def may_cover(self, record: ReviewRecord) -> bool:
        return set(self.paths) <= set(record.subject.paths)

    def unseen(self, record: ReviewRecord) -> list[str]:
        """Changed paths a record's reviewed diff does not even name."""
        seen = set(record.subject.paths)
        return [p for p in self.paths if p not in seen]


def run_gate(
    git: Git,
    target: ReviewTarget,
    trust: Target,
    *,
    min_approvals: int | None = None,
    allowed_signers: Path | None = None,
    now: datetime | None = None,
) -> GateResult:
    """Judge the change ``target`` (a commit range) with trust and policy from ``trust``'s tip."""
    if target.kind != "range" or not target.head:
        raise UsageError("gate checks commits: pass a RANGE (or commit the changes first)")
    root = load_trust_root(git, trust.commit, trust.ref)
    policy = gate_policy(root.config, root.source(CONFIG))
    if min_approvals is not None:
        if min_approvals < 0:
            raise UsageError("--min-approvals must be 0 or more")
        policy.min_approvals = min_approvals
    at = now or datetime.now(UTC)
    verifier = root_verifier(
        git,
        root,
        at=at,
        allow_non_ascii=policy.allow_non_ascii_principals,
        allowed_signers=allowed_signers,
    )
    change = _change(git, target, trust)
    policy_source = (
        root.source(CONFIG) if root.config_bytes is not None else f"defaults (no {CONFIG} at {trust.ref})"
    )
    result = GateResult(
        target.spec,
        target.base,
        target.head,
        change.head_tree,
        policy,
        trust,
        verifier.trust_source,
        policy_source,
        changed=change.paths,
        touched_records=[c.path for c in change.gated if c.path.startswith(RECORDS_PREFIX)],
    )
    result.warnings += root.problems + [f"allowed signers: {e}" for e in verifier.allowed.errors]
    result.warnings += [f"OpenPGP pins: {e}" for e in verifier.openpgp.errors]
    if not change.gated:
        return result  # nothing but added review records: nothing to review
    _judge(git, result, change, root, verifier)
    return result


def _change(git: Git, target: ReviewTarget, trust: Target) -> _Change:
    head = target.head
    assert head is not None
    base_tree = EMPTY_TREE if target.base == EMPTY_TREE else git.rev_parse(target.base, kind="tree")
    head_tree = git.rev_parse(head, kind="tree")
    changes = tree_diff(git, base_tree, head_tree)
    gated = needs_review(changes)
    exclude = [x for x in (target.base, trust.commit) if x != EMPTY_TREE]
    commits = change_commits(git, head, exclude)
    gated += _touched_records(changes, gated, commits)
    shas, trees = head_aliases(commits, head)
    return _Change(target, base_tree, head_tree, gated, commits, shas, trees | {head_tree})


def _touched_records(
    changes: list[PathChange], gated: list[PathChange], commits: list[ChangeCommit]
) -> list[PathChange]:
    """Records the change adds and, in a later commit, edits or deletes again: that needs review too.

    A record added and deleted again has no net change, which no reviewed diff can show: the gate
    fails until the record is restored (records are append-only evidence).
    """
    touched = {p for c in commits for p in c.touched_records}
    have = {c.path for c in gated}
    net = {c.path: c for c in changes}
    out = []
    for path in sorted(touched - have):
        zero = "0" * len(next(iter(net.values())).old if net else "0" * 40)
        out.append(net.get(path) or PathChange(path, "000000", "000000", zero, zero, "D"))
    return out


def _judge(git: Git, result: GateResult, change: _Change, root: TrustRoot, verifier: Verifier) -> None:
    assert change.target.head is not None
    evidence = load_evidence(
        git,
        verifier,
        [result.target.commit, change.target.head],
        keep=lambda r: change.about_head(r) or change.may_cover(r),
    )
    entries = evidence.entries
    check_head_trees(git, entries)
    gaps = _coverage(git, change, entries)
    relevant: list[RecordEntry] = []
    for e in entries:
        assert e.record is not None
        gap = gaps.get(id(e))
        covered = gap is not None and all(g.endswith(DROPPED) for g in gap)
        if not (covered or change.about_head(e.record)):
            continue
        if not e.valid:
            why = f"{e.status.value}: {e.reason}"
            result.considered.append(Counted(e, False, CountReason.INVALID, why))
            continue
        relevant.append(e)
    try:
        questions = target_questions(git, root, change.target, result.policy.required_checklists)
    except UsageError as exc:  # ChecklistError: fail closed and say why
        result.missing.append(f"checklists could not be loaded: {' '.join(str(exc).split())}")
        questions = TargetQuestions()
    _votes(result, change, relevant, gaps, questions)
    _blocking_answers(result, relevant, questions)
    _required_checklists(result, questions)
    _explain(result)


def _coverage(git: Git, change: _Change, entries: Sequence[RecordEntry]) -> dict[int, list[str] | None]:
    """``id(entry) ->`` why its reviewed diff does not cover the change (:func:`coverage_gaps`: ``[]``
    covers, ``None`` cannot tell), for each valid record that names every changed path."""
    claims: dict[int, Claim] = {}
    for e in entries:
        if not (e.valid and e.record and change.may_cover(e.record)):
            continue
        _, tree = reviewed_tree(e.record.subject)
        _, base_tree = reviewed_base(e.record.subject)
        if tree and base_tree:
            paths = frozenset(e.record.subject.paths)
            claims[id(e)] = Claim(change.gated, change.head_tree, base_tree, tree, paths)
    gaps = coverage_gaps(git, list(claims.values()))
    return dict(zip(claims, gaps, strict=True))


def _votes(
    result: GateResult,
    change: _Change,
    relevant: list[RecordEntry],
    gaps: dict[int, list[str] | None],
    questions: TargetQuestions,
) -> None:
    """Each person's latest record is their vote; approvals count only when complete."""
    ordered = sorted(relevant, key=lambda e: (e.finished, e.path))
    person = people(ordered)
    latest: dict[int, int] = {}
    for i, p in enumerate(person):
        latest[p] = i
    authors = {c.author for c in change.commits if not c.records_only}
    authors |= {c.committer for c in change.commits if not c.records_only}
    signing_keys = {c.signing_key for c in change.commits if c.signing_key and not c.records_only}
    for i, e in enumerate(ordered):
        if latest[person[i]] != i:
            why = "superseded by a later record of the same reviewer"
            result.considered.append(Counted(e, False, CountReason.SUPERSEDED, why))
            continue
        if e.verdict != APPROVE:
            c = Counted(e, False, CountReason.VERDICT, f"verdict {e.verdict}")
            result.considered.append(c)
            if e.verdict in BLOCKING_VERDICTS and result.policy.reject_blocks:
                result.rejects.append(c)
            continue
        gap = gaps[id(e)] if id(e) in gaps else change.unseen(e.record)  # type: ignore[arg-type]
        fails = _not_counted(e, change, gap, authors, signing_keys, result.policy, questions)
        reason = fails[0][0] if fails else CountReason.APPROVED
        c = Counted(e, not fails, reason, "; ".join(w for _, w in fails))
        result.considered.append(c)
        if c.counts:
            result.approvals.append(c)


def _not_counted(
    e: RecordEntry,
    change: _Change,
    gap: list[str] | None,
    authors: set[str],
    signing_keys: set[str],
    policy: GatePolicy,
    questions: TargetQuestions,
) -> list[tuple[CountReason, str]]:
    """Why an approval does not count, most decisive first (empty: it counts)."""
    assert e.record is not None
    if gap is None or gap:
        r_base = e.record.subject.base[:12]
        r_head = (reviewed_tree(e.record.subject)[0] or reviewed_tree(e.record.subject)[1] or "")[:12]
        why = gap_reason(gap, f"{r_base}..{r_head}")
        return [(CountReason.PARTIAL_BASE, why)]
    out = []
    analysis = e.record.analysis
    if analysis is not None and not analysis.complete:
        pending = ", ".join(analysis.pending) or "unknown stages"
        out.append((CountReason.INCOMPLETE, f"analysis was incomplete when signed (pending: {pending})"))
    if not policy.allow_self_approval:
        if e.reviewer.lower() in authors:
            why = f"self-approval: {e.reviewer} wrote or committed a commit of this change"
            out.append((CountReason.SELF_APPROVAL, why))
        elif e.key and e.key in signing_keys:
            out.append(
                (CountReason.SELF_APPROVAL, f"self-approval: key {e.key} signed a commit of this change")
            )
    out += [(CountReason.PARTIAL_REVIEW, w) for w in incomplete(e, change.paths, policy, questions)]
    return out


def _blocking_answers(result: GateResult, relevant: list[RecordEntry], questions: TargetQuestions) -> None:
    """Failed answers at or above ``block_severity`` (the target's severity) with no later pass / n/a."""
    valid = sorted(relevant, key=lambda e: (e.finished, e.path))
    limit = SEVERITIES.index(result.policy.block_severity)
    for i, e in enumerate(valid):
        assert e.record is not None
        for a in e.record.answers:
            if a.answer != "fail":
                continue
            sev = questions.severity.get(a.id, (a.severity, ""))[0]
            if sev in SEVERITIES and SEVERITIES.index(sev) > limit:
                continue
            later = any(
                (b := later_e.record.answer(a.id)) is not None and b.answer in PASSING
                for later_e in valid[i + 1 :]
                if later_e.record is not None and later_e.finished > e.finished
            )
            if not later:
                result.blockers.append(Blocker(e.path, e.reviewer, a.id, a.text, sev or "unknown", a.note))


def _required_checklists(result: GateResult, questions: TargetQuestions) -> None:
    for cid in result.policy.required_checklists:
        best = ""
        for c in result.approvals:
            rec = c.entry.record
            assert rec is not None
            if not any(ref.id == cid for ref in rec.checklists):
                continue
            skipped = [
                a.id
                for a in rec.answers
                if a.answer == "skipped"
                and questions.severity.get(a.id, ("", a.id.split(".", 1)[0]))[1] == cid
            ]
            if not skipped:
                best = ""
                break
            best = f"{len(skipped)} question(s) skipped in {c.entry.path}: {', '.join(skipped[:5])}"
        else:
            result.checklists_missing[cid] = best or "no counted approval used this checklist"


def _who(e: RecordEntry) -> str:
    return ascii_visible(e.reviewer) if e.reviewer else "?"


def _explain(result: GateResult) -> None:
    have = len(result.approvals)
    if have < result.min_approvals:
        result.missing.append(
            f"needs {result.min_approvals} approval(s) from distinct allowed signers for "
            f"{result.head[:12]} (tree {result.head_tree[:12]}); has {have}"
        )
        for c in result.considered:
            if not c.counts:
                result.missing.append(f"  not counted: {c.entry.path} by {_who(c.entry)}: {c.why}")
        if not result.considered:
            result.missing.append(
                "  no review record is about this change (its head, a head that differs only by added "
                "records, or a reviewed diff containing it): review it with `signoff review` and commit "
                "the record"
            )
    if result.touched_records:
        result.missing.append(
            "the change deletes or edits review records ("
            + ", ".join(result.touched_records[:5])
            + "): records are append-only evidence; that needs a review like any other change"
        )
    for c in result.rejects:
        result.missing.append(
            f"{_who(c.entry)} voted {c.entry.verdict} in {c.entry.path}: "
            "their later approval (or [gate] reject_blocks = false) is needed"
        )
    for b in result.blockers:
        result.missing.append(
            f"failed answer {b.question} (severity {b.severity}) by {ascii_visible(b.reviewer)} in "
            f"{b.record}: fix it and get a review answering it pass or n/a"
        )
    for cid, why in result.checklists_missing.items():
        result.missing.append(f"required checklist {cid} not complete: {why}")
