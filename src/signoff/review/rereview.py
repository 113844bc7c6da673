"""Review since the last review: the earlier record of this range, the interdiff since its head, and which
answers carry forward.

An earlier record qualifies when it is a range review of the same base (by commit or tree), its head is
a commit in this repository, and it verifies against the trust of the **target branch's tip** (like the
gate, :mod:`signoff.signing.trustroot`): neither adding a key on the change's branch nor branching from
an old commit that still trusted a removed key lets a record fill in the reviewer's answers. The
reviewer's own latest record is preferred, else anyone's latest.

An answer is carried forward when none of its question's hit lines changed since that head: every hit
is in a file the interdiff does not touch, or on a new-side line the interdiff did not add. Everything
else that was answered before is marked for re-answering.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signoff.diff.model import Diff, DiffOptions, LineKind
from signoff.diff.parse import load_diff
from signoff.errors import SignoffError
from signoff.git.target import ReviewTarget
from signoff.records.codec import loads_with_payload, read_text
from signoff.records.model import Previous, RecordError, ReviewRecord
from signoff.records.store import REVIEWS_DIR, list_records
from signoff.review.compose import AnswerInput
from signoff.signing.trustroot import load_trust_root, resolve_gate_target, root_verifier

if TYPE_CHECKING:
    from signoff.git.runner import Git

RECORDS_PREFIX = REVIEWS_DIR.as_posix() + "/"


@dataclass
class PreviousReview:
    """A verified earlier record of the range under review."""

    record: ReviewRecord
    #: The record's path relative to the repository root.
    path: str
    #: sha256 of the record's signed bytes: the link names exactly this record.
    payload_sha256: str
    signer: str
    target: ReviewTarget

    @property
    def head(self) -> str:
        return self.record.subject.head

    @property
    def same_head(self) -> bool:
        return self.head == self.target.head

    def interdiff_target(self) -> ReviewTarget:
        """The commits since the earlier record's head (a tree diff: a rebase shows what it changed), with
        the settings of the range under review (the target's tip, not the earlier head on the branch)."""
        head = self.target.head or "HEAD"
        spec = f"{self.head[:12]}..{head[:12]}"
        return ReviewTarget("range", self.head, head, spec, settings_rev=self.target.settings_at)

    def link(self, carried: Iterable[str] = (), reanswer: Iterable[str] = ()) -> Previous:
        r = self.record
        return Previous(
            record=self.path,
            payload_sha256=self.payload_sha256,
            reviewer=r.reviewer.email,
            head=self.head,
            finished=r.review.finished,
            carried=sorted(carried),
            reanswer=sorted(reanswer),
        )


@dataclass
class CarryPlan:
    """What an earlier record gives a new review of the same range."""

    carried: dict[str, AnswerInput] = field(default_factory=dict)
    #: Questions answered before whose hit lines changed: to answer again.
    reanswer: list[str] = field(default_factory=list)
    #: Files marked reviewed before and unchanged since.
    files: set[str] = field(default_factory=set)


def find_previous(
    git: Git, target: ReviewTarget, *, prefer: str = "", trust: str | None = None
) -> PreviousReview | None:
    """The latest valid earlier record of ``target``'s range (``prefer``: that reviewer's, if any).

    ``trust``: the target branch whose tip's signers are trusted (default: the gate's default target); a
    :class:`~signoff.errors.UsageError` when there is none.
    """
    if target.kind != "range" or not target.head:
        return None
    candidates: list[tuple[ReviewRecord, bytes, str]] = []
    base_tree = _tree(git, target.base)
    for p in list_records(git.root):
        try:
            rec, payload = loads_with_payload(read_text(p), str(p))
        except RecordError:
            continue
        s = rec.subject
        if s.kind != "range" or not s.head or rec.signature is None:
            continue
        if s.base != target.base and (not base_tree or s.base_tree != base_tree):
            continue
        candidates.append((rec, payload, str(p)))
    if not candidates:
        return None
    known = _existing_commits(git, {rec.subject.head for rec, _, _ in candidates})
    candidates = [c for c in candidates if c[0].subject.head in known]
    if not candidates:
        return None
    found: list[PreviousReview] = []
    tip = resolve_gate_target(git, trust)
    verifier = root_verifier(git, load_trust_root(git, tip.commit, tip.ref))
    for rec, payload, path in candidates:
        v = verifier.verify(rec, path, payload=payload)
        if v.ok:
            rel = _relative(git, path)
            found.append(PreviousReview(rec, rel, hashlib.sha256(payload).hexdigest(), v.signer, target))
    if not found:
        return None
    found.sort(key=lambda f: (prefer != "" and f.record.reviewer.email == prefer, f.record.review.finished))
    return found[-1]


def load_interdiff(
    git: Git, target: ReviewTarget, previous: PreviousReview, options: DiffOptions | None = None
) -> Diff:
    """The diff from the earlier record's head to ``target``'s head, without record-only files."""
    diff = load_diff(git, previous.interdiff_target(), options)
    diff.files = [f for f in diff.files if not f.path.startswith(RECORDS_PREFIX)]
    return diff


def carry_forward(previous: ReviewRecord, relevance: Any, interdiff: Diff) -> CarryPlan:
    """Split the earlier answers into carried (hit lines unchanged) and to re-answer (changed)."""
    touched: set[str] = set()
    added: dict[str, set[int]] = {}
    for f in interdiff.files:
        touched.update(p for p in (f.old_path, f.new_path) if p)
        lines = added.setdefault(f.path, set())
        for h in f.hunks:
            lines.update(ln.new_no for ln in h.lines if ln.kind is LineKind.ADDED and ln.new_no)
        if f.binary or f.too_large or not f.hunks:
            added[f.path] = {-1}  # content unknown: every hit in it counts as changed
    plan = CarryPlan()
    results = [*relevance.triggered, *relevance.untriggered] if relevance is not None else []
    for r in results:
        before = previous.answer(r.question.id)
        if before is None or before.answer == "skipped":
            continue
        if _changed(r, touched, added):
            plan.reanswer.append(r.question.id)
        else:
            plan.carried[r.question.id] = AnswerInput(before.answer, before.note, list(before.evidence))
    plan.files = {p for p in previous.review.files_reviewed if p not in touched}
    return plan


def _changed(result: Any, touched: set[str], added: dict[str, set[int]]) -> bool:
    truncated = result.hit_count > len(result.hits)
    for h in result.hits:
        if h.path not in touched:
            continue
        lines = added.get(h.path, set())
        if truncated or h.side != "new" or not h.line or h.line in lines or -1 in lines:
            return True
    return False


def _tree(git: Git, rev: str) -> str:
    try:
        return git.rev_parse(rev, kind="tree")
    except SignoffError:
        return ""


def _existing_commits(git: Git, shas: set[str]) -> set[str]:
    """Which of ``shas`` are commits in the object store (one ``cat-file --batch-check``)."""
    ordered = sorted(shas)
    try:
        out = git.run(
            ["cat-file", "--batch-check=%(objecttype)"], input=b"".join(s.encode() + b"\n" for s in ordered)
        )
    except SignoffError:
        return set()
    kinds = out.decode("utf-8", "replace").splitlines()
    return {s for s, k in zip(ordered, kinds, strict=False) if k == "commit"}


def _relative(git: Git, path: str) -> str:
    try:
        return Path(path).relative_to(git.root).as_posix()
    except ValueError:
        return path
