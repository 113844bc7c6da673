"""The merge gate: does this change carry enough valid, current, signed approvals?

:func:`run_gate` passes only when

1. at least ``min_approvals`` distinct allowed signers approved this change: their latest valid record
   for it has verdict ``approve``, its reviewed head is the change's head (by commit, by tree, or by a
   tree that differs only in ``.signoff/reviews/``), and its reviewed base is the change's base or an
   ancestor of it (the review saw at least the whole change);
2. no valid record for the change has a ``fail`` answer of severity ``block_severity`` (default
   ``high``) or above that a later record for the change does not answer ``pass``/``na`` (a failed
   answer of unknown severity blocks);
3. every checklist in ``[gate] required_checklists`` was used by a counted approval with none of its
   questions skipped.

Trust and policy come from the change's *base*: ``.signoff/allowed_signers`` and ``.signoff/config.toml``
are read from the base commit, so a change cannot add its author's key or lower the bar for itself.
Without those files at the base, the work tree's (or git's ``gpg.ssh.allowedSignersFile``) are used and
a warning says so. ``--allowed-signers`` and ``--min-approvals`` override.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from signoff import __version__
from signoff.audit.report import APPROVE, PASSING, RecordEntry
from signoff.audit.run import check_head_trees, load_tree_records, reviewed_base, reviewed_tree
from signoff.checklists.load import load_checklists
from signoff.checklists.model import SEVERITIES
from signoff.config import parse_config
from signoff.errors import UsageError
from signoff.git.objects import content_keys, read_objects
from signoff.git.runner import EMPTY_TREE, Git
from signoff.git.settings import target_settings
from signoff.git.target import ReviewTarget
from signoff.signing.verify import trust_from as _trust

GATE_SCHEMA = "signoff.gate/1"
ALLOWED_SIGNERS_PATH = ".signoff/allowed_signers"
CONFIG_PATH = ".signoff/config.toml"


class CountReason(StrEnum):
    """Why a record about the change counts as an approval or not (``why`` is the human wording)."""

    APPROVED = "approved"
    VERDICT = "verdict"
    INVALID = "invalid"
    PARTIAL_BASE = "partial-base"
    INCOMPLETE = "incomplete-analysis"
    SUPERSEDED = "superseded"


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
    min_approvals: int
    block_severity: str
    required_checklists: list[str]
    trust_source: str
    policy_source: str
    approvals: list[Counted] = field(default_factory=list)
    considered: list[Counted] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    checklists_missing: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.missing

    @property
    def approvers(self) -> list[str]:
        return [c.entry.reviewer for c in self.approvals]

    def to_json(self) -> dict[str, Any]:

        return {
            "schema": GATE_SCHEMA,
            "tool": {"name": "signoff", "version": __version__},
            "passed": self.passed,
            "change": {"spec": self.spec, "base": self.base, "head": self.head, "head_tree": self.head_tree},
            "policy": {
                "min_approvals": self.min_approvals,
                "block_severity": self.block_severity,
                "required_checklists": self.required_checklists,
                "trust": self.trust_source,
                "config": self.policy_source,
            },
            "approvals": [c.to_json() for c in self.approvals],
            "records": [c.to_json() for c in self.considered],
            "blocking_answers": [b.to_json() for b in self.blockers],
            "checklists_missing": self.checklists_missing,
            "missing": self.missing,
            "warnings": self.warnings,
        }


# --------------------------------------------------------------------------------------------------
# Policy and trust from the base


def _base_files(git: Git, base: str) -> tuple[bytes | None, bytes | None]:
    """``(allowed_signers, config.toml)`` bytes at commit ``base`` (``None`` when absent)."""
    if base == EMPTY_TREE:
        return None, None
    specs = [f"{base}:{ALLOWED_SIGNERS_PATH}", f"{base}:{CONFIG_PATH}"]
    got = read_objects(git, specs)
    out = []
    for s in specs:
        obj = got.get(s)
        out.append(obj[2] if obj is not None and obj[1] == b"blob" else None)
    return out[0], out[1]


def gate_policy(config: dict[str, Any], where: str) -> tuple[int, str, list[str]]:
    """``(min_approvals, block_severity, required_checklists)`` from a config's ``[gate]`` table."""
    gate = config.get("gate", {})
    if not isinstance(gate, dict):
        raise UsageError(f"{where}: [gate] must be a table")
    n = gate.get("min_approvals", 1)
    if type(n) is not int or n < 0:
        raise UsageError(f"{where}: [gate] min_approvals must be a non-negative integer")
    sev = gate.get("block_severity", "high")
    if sev not in SEVERITIES:
        raise UsageError(f"{where}: [gate] block_severity must be one of {', '.join(SEVERITIES)}")
    req = gate.get("required_checklists", [])
    if not isinstance(req, list) or not all(isinstance(x, str) for x in req):
        raise UsageError(f"{where}: [gate] required_checklists must be a list of checklist ids")
    return n, sev, req


# --------------------------------------------------------------------------------------------------
# The gate


def run_gate(
    git: Git,
    target: ReviewTarget,
    *,
    min_approvals: int | None = None,
    allowed_signers: Path | None = None,
) -> GateResult:
    """Check the change ``target`` (a commit range) against the gate's rules; see the module doc."""
    if target.kind != "range" or not target.head:
        raise UsageError("gate checks commits: pass a RANGE (or commit the changes first)")
    head, base = target.head, target.base
    base_signers, base_config = _base_files(git, base)
    if base_config is not None:
        policy_source = f"{CONFIG_PATH} at the base"
        config = parse_config(base_config, f"{CONFIG_PATH} at {base[:12]}")
    else:
        policy_source = "defaults"
        config = {}
    n, severity, required = gate_policy(config, policy_source)
    if min_approvals is not None:
        if min_approvals < 0:
            raise UsageError("--min-approvals must be 0 or more")
        n = min_approvals
    with _trust(git, base_signers, allowed_signers) as (verifier, trust_source):
        entries = load_tree_records(git, verifier)
    check_head_trees(git, entries)
    head_tree = git.rev_parse(head, kind="tree")
    base_tree = EMPTY_TREE if base == EMPTY_TREE else git.rev_parse(base, kind="tree")
    result = GateResult(
        target.spec, base, head, head_tree, n, severity, required, trust_source, policy_source
    )
    if base_signers is None and allowed_signers is None:
        result.warnings.append(
            f"no {ALLOWED_SIGNERS_PATH} at the base {base[:12]}: trust comes from {trust_source}"
        )
    result.warnings += [f"allowed signers: {e}" for e in verifier.allowed.errors]

    trees = [head_tree, base_tree]
    for e in entries:
        if e.record is not None:
            trees += [reviewed_tree(e.record.subject)[1] or "", reviewed_base(e.record.subject)[1] or ""]
    keys = content_keys(git, [t for t in trees if t and t != EMPTY_TREE])
    keys.setdefault(EMPTY_TREE, EMPTY_TREE)

    # Records about this change (any validity), each with why it counts or not.
    for_change = [
        c for e in entries if (c := _classify(git, e, head, head_tree, base, base_tree, keys)) is not None
    ]
    latest = _latest_votes(for_change)
    result.considered = for_change
    result.approvals = [c for c in latest.values() if c.counts]

    _blocking_answers(git, result, for_change, severity)
    _required_checklists(git, result, required)
    _explain(result)
    return result


def _classify(
    git: Git,
    e: RecordEntry,
    head: str,
    head_tree: str,
    base: str,
    base_tree: str,
    keys: dict[str, str],
) -> Counted | None:
    """Whether record ``e`` is about this change (None: not) and, if so, whether it counts and why."""
    if e.record is None:
        return None
    r_head, r_tree = reviewed_tree(e.record.subject)
    head_key = keys.get(head_tree, head_tree)  # trees with the same content share a key
    same = (r_head is not None and r_head == head) or (
        r_tree is not None and (r_tree == head_tree or keys.get(r_tree) == head_key)
    )
    if not same:
        return None
    if not e.valid:
        return Counted(e, False, CountReason.INVALID, f"{e.status.value}: {e.reason}")
    r_base, r_base_tree = reviewed_base(e.record.subject)
    if not _base_covers(git, r_base, r_base_tree, base, base_tree, keys):
        why = f"reviewed only {r_base[:12]}..{(r_head or r_tree or '')[:12]}, not from {base[:12]}"
        return Counted(e, False, CountReason.PARTIAL_BASE, why)
    analysis = e.record.analysis
    if analysis is not None and not analysis.complete:
        pending = ", ".join(analysis.pending) or "unknown stages"
        why = f"analysis was incomplete when signed (pending: {pending})"
        return Counted(e, False, CountReason.INCOMPLETE, why)
    if e.verdict == APPROVE:
        return Counted(e, True, CountReason.APPROVED)
    return Counted(e, False, CountReason.VERDICT, f"verdict {e.verdict}")


def _latest_votes(for_change: list[Counted]) -> dict[str, Counted]:
    """The latest valid record per reviewer decides that reviewer's vote; earlier approvals are superseded."""
    latest: dict[str, Counted] = {}
    for c in sorted(for_change, key=lambda c: c.entry.finished):
        if c.entry.valid and c.reason is not CountReason.PARTIAL_BASE:
            prev = latest.get(c.entry.reviewer)
            if prev is not None and prev.counts:
                prev.counts = False
                prev.reason = CountReason.SUPERSEDED
                prev.why = "superseded by a later record of the same reviewer"
            latest[c.entry.reviewer] = c
    return latest


def _base_covers(
    git: Git, r_base: str, r_base_tree: str | None, base: str, base_tree: str, keys: dict[str, str]
) -> bool:
    """Whether a review from ``r_base`` saw everything since ``base`` (same base, or an ancestor of it)."""
    if r_base in (base, EMPTY_TREE) or r_base_tree == EMPTY_TREE:
        return True
    if r_base_tree is not None and (
        r_base_tree == base_tree
        or (keys.get(r_base_tree) is not None and keys.get(r_base_tree) == keys.get(base_tree))
    ):
        return True
    if base == EMPTY_TREE:
        return False
    code, _ = git.try_run(["merge-base", "--is-ancestor", "--end-of-options", r_base, base])
    return code == 0


def _question_severity(git: Git, base: str, missing: list[str] | None = None) -> dict[str, tuple[str, str]]:
    """``question id -> (severity, checklist id)`` from the checklists in effect at the change's base (the
    change cannot lower a question's severity for itself).

    Checklists that do not load fail the gate (fail closed, and say why in ``missing``): without them a
    failed answer's severity and a required checklist's questions are unknown.
    """
    try:
        cs = load_checklists(override_files=target_settings(git, base).checklist_overrides)
    except UsageError as exc:  # ChecklistError, or unreadable settings at the base
        line = " ".join(str(exc).split())
        if missing is not None and not any(m.startswith("checklists could not be loaded") for m in missing):
            missing.append(f"checklists could not be loaded: {line}")
        return {}
    return {q.id: (q.severity, q.checklist_id) for q in cs.questions}


def _blocking_answers(git: Git, result: GateResult, records: list[Counted], severity: str) -> None:
    valid = sorted((c.entry for c in records if c.entry.valid and c.entry.record), key=lambda e: e.finished)
    if not any(a.answer == "fail" for e in valid for a in e.record.answers):  # type: ignore[union-attr]
        return
    known = _question_severity(git, result.base, result.missing)
    limit = SEVERITIES.index(severity)
    for i, e in enumerate(valid):
        for a in e.record.answers:  # type: ignore[union-attr]
            if a.answer != "fail":
                continue
            sev = a.severity or known.get(a.id, ("", ""))[0]
            if sev in SEVERITIES and SEVERITIES.index(sev) > limit:
                continue
            later = any(
                (b := later_e.record.answer(a.id)) is not None and b.answer in PASSING  # type: ignore[union-attr]
                for later_e in valid[i + 1 :]
                if later_e.finished > e.finished
            )
            if not later:
                result.blockers.append(Blocker(e.path, e.reviewer, a.id, a.text, sev or "unknown", a.note))


def _required_checklists(git: Git, result: GateResult, required: list[str]) -> None:
    if not required:
        return
    known = _question_severity(git, result.base, result.missing)
    for cid in required:
        best = ""
        for c in result.approvals:
            rec = c.entry.record
            assert rec is not None
            if not any(ref.id == cid for ref in rec.checklists):
                continue
            skipped = [
                a.id
                for a in rec.answers
                if a.answer == "skipped" and known.get(a.id, ("", a.id.split(".", 1)[0]))[1] == cid
            ]
            if not skipped:
                best = ""
                break
            best = f"{len(skipped)} question(s) skipped in {c.entry.path}: {', '.join(skipped[:5])}"
        else:
            result.checklists_missing[cid] = best or "no counted approval used this checklist"


def _explain(result: GateResult) -> None:
    have = len(result.approvals)
    if have < result.min_approvals:
        line = (
            f"needs {result.min_approvals} approval(s) from distinct allowed signers for "
            f"{result.head[:12]} (tree {result.head_tree[:12]}); has {have}"
        )
        result.missing.append(line)
        for c in result.considered:
            if not c.counts:
                result.missing.append(f"  not counted: {c.entry.path} by {c.entry.reviewer or '?'}: {c.why}")
        if not result.considered:
            result.missing.append(
                "  no review record in .signoff/reviews is for this head (or for a head that differs only in "
                ".signoff/reviews/): review it with `signoff review` and commit the record"
            )
    for b in result.blockers:
        result.missing.append(
            f"failed answer {b.question} (severity {b.severity}) by {b.reviewer} in {b.record}: "
            "fix it and get a review answering it pass or n/a"
        )
    for cid, why in result.checklists_missing.items():
        result.missing.append(f"required checklist {cid} not complete: {why}")
