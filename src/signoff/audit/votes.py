"""How the gate counts votes: one vote per person, what a full approval is, the target's questions.

- **People.** Records are grouped into people by signing key and by principal: one key listed for two
  e-mails (or behind a wildcard principal) is one person, and so are two keys of one e-mail.
- **Votes.** A person's latest record about the change is their vote.
- **Full approvals.** An approval counts only when it viewed every changed file
  (``[gate] require_all_files``), states at least ``[gate] min_thoroughness``, and answers (pass, fail or
  n/a) every question of ``[gate] answer_severity`` or above that the change triggers.
- **The target's questions.** Which questions a change triggers, and how severe each is, is decided with
  the target's checklists (the shipped ones plus the target's ``.signoff/checklists/``), never with the
  overrides the change brings along.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from signoff.audit.policy import LEVELS, SEVERITIES, GatePolicy
from signoff.audit.report import RecordEntry
from signoff.checklists.load import apply_overrides, load_builtin
from signoff.checklists.model import ChecklistError, ChecklistSet
from signoff.diff.parse import load_diff
from signoff.git.runner import Git
from signoff.git.target import ReviewTarget
from signoff.relevance.engine import Engine
from signoff.signing.trustroot import TrustRoot

ANSWERED = ("pass", "fail", "na")


def people(entries: Sequence[RecordEntry]) -> list[int]:
    """A person number for each entry: entries sharing a key or a principal are one person."""
    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, e in enumerate(entries):
        for label in (f"key:{e.key}" if e.key else "", f"who:{e.reviewer.lower()}" if e.reviewer else ""):
            if not label:
                continue
            if label in first:
                parent[find(i)] = find(first[label])
            else:
                first[label] = i
    return [find(i) for i in range(len(entries))]


@dataclass
class TargetQuestions:
    """Question severities by id (target's checklists), and the questions this change triggers."""

    severity: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: ``(question id, severity)`` of every triggered question, most severe first.
    triggered: list[tuple[str, str]] = field(default_factory=list)


def target_checklists(root: TrustRoot, required: Sequence[str]) -> ChecklistSet:
    """The shipped checklists with the target's overrides, plus the required opt-in ones."""
    builtins, problems = load_builtin()
    if problems:
        raise ChecklistError(problems)
    merged, overrides, problems = (
        apply_overrides(builtins, root.checklists) if root.checklists else (builtins, [], [])
    )
    if problems:
        raise ChecklistError(problems)
    wanted = set(required)
    selected = [c for c in merged if not c.opt_in or c.id in wanted]
    opt = [c.id for c in merged if c.opt_in and c.id not in wanted]
    return ChecklistSet(checklists=selected, overrides=overrides, available_opt_in=opt)


def target_questions(
    git: Git, root: TrustRoot, target: ReviewTarget, required: Sequence[str]
) -> TargetQuestions:
    """Severities from the target's checklists, and what the change (base..head) triggers with them.

    Added review records are left out of the diff: they are evidence, not code.
    """
    cs = target_checklists(root, required)
    out = TargetQuestions({q.id: (q.severity, q.checklist_id) for q in cs.questions})
    diff = load_diff(git, target)
    diff.files = [
        f for f in diff.files if not (f.old_path is None and f.path.startswith(".signoff/reviews/"))
    ]
    relevance = Engine(cs).evaluate(diff, None)
    out.triggered = [(r.id, r.severity) for r in relevance.triggered]
    return out


def incomplete(
    entry: RecordEntry, gated_paths: Sequence[str], policy: GatePolicy, questions: TargetQuestions
) -> list[str]:
    """Why an approval is not a full one (empty: it is)."""
    rec = entry.record
    assert rec is not None
    out: list[str] = []
    if policy.require_all_files:
        seen = set(rec.review.files_reviewed)
        unseen = [p for p in gated_paths if p not in seen]
        if unseen:
            shown = ", ".join(unseen[:5]) + (f" and {len(unseen) - 5} more" if len(unseen) > 5 else "")
            out.append(
                f"viewed {len(gated_paths) - len(unseen)} of {len(gated_paths)} changed files (not {shown})"
            )
    if LEVELS.index(rec.review.thoroughness) > LEVELS.index(policy.min_thoroughness):
        out.append(f"thoroughness {rec.review.thoroughness}, below the required {policy.min_thoroughness}")
    limit = SEVERITIES.index(policy.answer_severity)
    unanswered = []
    for qid, sev in questions.triggered:
        if sev not in SEVERITIES or SEVERITIES.index(sev) > limit:
            continue
        a = rec.answer(qid)
        if a is None or a.answer not in ANSWERED:
            unanswered.append(f"{qid} ({sev}){' skipped' if a is not None else ''}")
    if unanswered:
        out.append("did not answer " + ", ".join(unanswered[:5]) + (" ..." if len(unanswered) > 5 else ""))
    return out
