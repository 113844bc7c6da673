"""Audit past reviews against the default branch's history (headless; the TUI history screen uses it).

:func:`run_audit` verifies every review record (in the tree, and with ``include_history`` every version
ever committed), then reports for the first-parent history of the default branch:

- each record's reviewer, date, verdict and validity (:mod:`signoff.signing.verify`);
- stale reviews: reviewed paths whose content at the branch tip differs from the reviewed head;
- commits with no valid covering approval (matched by commit, by tree, by a head that differs only in
  ``.signoff/reviews/``, or as a merge of the reviewed head; see :mod:`signoff.git.history`);
- AI-attributed lines those unreviewed commits brought in (commit signals from
  :mod:`signoff.provenance.commits`);
- failed answers with no later passing review; per-reviewer counts.

Git work is batched: one ``git log`` for the history, one for AI signals, ``cat-file --batch`` calls for
trees, blobs and (with history) old records, one ``diff-tree --stdin`` for line counts.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from signoff.audit.coverage import Claim, coverage_gaps, gap_reason, needs_review, tree_diffs
from signoff.audit.evidence import landing_time, load_evidence
from signoff.audit.findings import audit_findings
from signoff.audit.report import (
    APPROVE,
    PASSING,
    AuditReport,
    CommitEntry,
    FailedAnswer,
    RecordEntry,
    ReviewerStats,
)
from signoff.diff.model import MissingObject
from signoff.errors import GitCommandError, UsageError
from signoff.git.history import History, first_parent_history
from signoff.git.objects import (
    blobs_at,
    content_keys,
    missing_object_in,
    path_of_object,
    read_objects,
    tree_of,
)
from signoff.git.runner import EMPTY_TREE, Git
from signoff.provenance.catalogue import load_catalogue
from signoff.provenance.commits import read_commits
from signoff.records.model import Subject
from signoff.signing.trustroot import (
    CONFIG,
    TrustRoot,
    load_trust_root,
    resolve_gate_target,
    root_verifier,
)
from signoff.signing.verify import Status, Verifier

# --------------------------------------------------------------------------------------------------
# Reviewed head of a subject


def reviewed_tree(subject: Subject) -> tuple[str | None, str | None]:
    """``(head commit, tree)`` that a subject's review saw: the index/work tree for dirty reviews."""
    if subject.kind == "range":
        return subject.head or None, subject.head_tree or None
    tree = subject.index_tree if subject.kind == "staged" else subject.worktree_tree
    return None, tree or None


def reviewed_base(subject: Subject) -> tuple[str, str | None]:
    base_tree = subject.base_tree or None
    if subject.base == EMPTY_TREE:
        base_tree = EMPTY_TREE
    return subject.base, base_tree


# --------------------------------------------------------------------------------------------------
# Loading and verifying records


def load_records(
    git: Git, hist: History, verifier: Verifier, include_history: bool
) -> tuple[list[RecordEntry], set[str]]:
    """Every record ever committed on the audited branch (judged at the time it entered the branch), the
    work tree's uncommitted ones (judged now), with ``include_history`` every version on any ref; and the
    commits of the branch that delete or edit a record.
    """
    revs = [hist.tip] if hist.tip else []
    ev = load_evidence(git, verifier, revs, first_parent=True, when=landing_time)
    entries = ev.entries + [RecordEntry(p, Status.MALFORMED, why) for p, why in ev.unreadable]
    if include_history:
        more = load_evidence(git, verifier, [], all_refs=True, worktree=False, skip=frozenset(ev.seen))
        for e in more.entries:
            e.in_tree = False
        entries += more.entries
        entries += [RecordEntry(p, Status.MALFORMED, why, in_tree=False) for p, why in more.unreadable]
    return entries, set(ev.log.touched)


def check_head_trees(git: Git, entries: list[RecordEntry]) -> None:
    """A valid record whose head commit exists here must name that commit's tree (one batch call)."""
    heads = [e.record.subject.head for e in entries if e.valid and e.record and e.record.subject.head]
    trees = tree_of(git, heads)
    for e in entries:
        if not (e.valid and e.record and e.record.subject.head):
            continue
        tree = trees.get(e.record.subject.head)
        if tree is not None and tree != e.record.subject.head_tree:
            e.status = Status.MALFORMED
            e.reason = (
                f"subject.head_tree {e.record.subject.head_tree[:12]} is not the tree of head ({tree[:12]})"
            )


# --------------------------------------------------------------------------------------------------
# The audit


def audit_settings(root: TrustRoot) -> dict[str, Any]:
    """``[audit]``, ``[review]`` and ``[ai]`` settings of the target's committed config, checked."""
    cfg = root.config
    where = root.source(CONFIG)
    audit = _table(cfg, "audit", where)
    review = _table(cfg, "review", where)
    out = {
        "since": audit.get("since") or None,
        "stale_is_problem": audit.get("stale_is_problem", False),
        "unreviewed_is_problem": audit.get("unreviewed_is_problem", True),
        "default_branch": review.get("default_branch") or None,
        "ai": _table(cfg, "ai", where),
    }
    for key in ("stale_is_problem", "unreviewed_is_problem"):
        if not isinstance(out[key], bool):
            raise UsageError(f"{where}: [audit] {key} must be true or false")
    for key, value in (("[audit] since", out["since"]), ("[review] default_branch", out["default_branch"])):
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{where}: {key} must be a string")
    return out


def _table(cfg: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = cfg.get(name, {})
    if not isinstance(value, dict):
        raise UsageError(f"{where}: [{name}] must be a table")
    return value


def run_audit(
    git: Git,
    *,
    since: str | None = None,
    branch: str | None = None,
    include_history: bool = False,
    allowed_signers: Path | None = None,
    ai: bool = True,
    verifier: Verifier | None = None,
    sarif: Sequence[str] = (),
    trust_from: str | None = None,
    target: str | None = None,
) -> AuditReport:
    """Audit the repository (headless). ``since``/``branch`` default to the ``[audit]``/``[review]`` config.

    Settings and trust come from the tip of the target (``target``; the default is the gate's:
    :func:`signoff.signing.trustroot.resolve_gate_target`), never from the work tree, which may be the
    branch under review; ``trust_from`` takes the trust files from another ref. This is the data source
    of the TUI history screen: records with validity and staleness, and the commits still unreviewed.
    """
    tip = resolve_gate_target(git, target)
    root = load_trust_root(git, tip.commit, tip.ref)
    settings = audit_settings(root)
    since = since if since is not None else settings["since"]
    hist = first_parent_history(git, branch or settings["default_branch"], since)
    if verifier is None:
        verifier = audit_verifier(git, root, trust_from, allowed_signers)
    entries, hist.touched = load_records(git, hist, verifier, include_history)
    check_head_trees(git, entries)
    flag_backdated(git, entries)
    _add_content_keys(git, hist, entries)
    commits = _coverage(git, hist, entries)
    warnings = root.problems + [f"allowed signers: {p}" for p in verifier.allowed.errors]
    missing: list[MissingObject] = []
    if ai and hist.tip:
        _ai_signals(git, hist, commits, settings["ai"], missing)
    warnings += [m.warning() for m in missing]
    _staleness(git, hist, entries)
    failed = _failed_answers(entries)
    findings = audit_findings(git, entries, hist.tip, sarif)
    configured = root.config_bytes is not None
    return AuditReport(
        branch=hist.branch,
        tip=hist.tip,
        since=since,
        include_history=include_history,
        allowed_signers=str(verifier.allowed_path) if verifier.allowed_path else None,
        trust=verifier.trust_source,
        settings=root.source(CONFIG) if configured else f"defaults (no {CONFIG} at {tip.ref})",
        records=entries,
        commits=commits,
        failed=failed,
        reviewers=_reviewer_stats(entries),
        stale_is_problem=settings["stale_is_problem"],
        unreviewed_is_problem=settings["unreviewed_is_problem"],
        ai_checked=ai,
        warnings=warnings,
        findings=findings,
        missing=missing,
    )


def audit_verifier(
    git: Git, root: TrustRoot, trust_from: str | None, allowed_signers: Path | None
) -> Verifier:
    """Trust for the audit: the target root's files (``trust_from``: that ref's), and ``allowed_signers``
    (``--allowed-signers``) for the SSH signers when given. Keys of uncommitted records are judged now,
    committed ones when they entered the branch."""
    if trust_from:
        root = load_trust_root(git, git.rev_parse(trust_from), trust_from)
    return root_verifier(git, root, at=datetime.now(UTC), allowed_signers=allowed_signers)


def flag_backdated(git: Git, entries: list[RecordEntry]) -> None:
    """Flag valid records that claim to have finished before their reviewed head was committed."""
    heads = sorted({e.record.subject.head for e in entries if e.valid and e.record and e.record.subject.head})
    if not heads:
        return
    times: dict[str, int] = {}
    for sha, (_, kind, body) in read_objects(git, heads).items():
        if kind != b"commit":
            continue
        for line in body.split(b"\n\n", 1)[0].split(b"\n"):
            if line.startswith(b"committer "):
                parts = line.rsplit(b" ", 2)
                if len(parts) == 3 and parts[1].isdigit():
                    times[sha] = int(parts[1])
    for e in entries:
        if not (e.valid and e.record and e.record.subject.head in times):
            continue
        finished = datetime.fromisoformat(e.finished.replace("Z", "+00:00")).timestamp()
        if finished < times[e.record.subject.head]:
            e.flags.append("finished-before-head")


def _add_content_keys(git: Git, hist: History, entries: list[RecordEntry]) -> None:
    trees: list[str] = []
    for e in entries:
        if e.valid and e.record:
            trees.append(reviewed_tree(e.record.subject)[1] or "")
            trees.append(reviewed_base(e.record.subject)[1] or "")
    missing = [t for t in dict.fromkeys(trees) if t and t != EMPTY_TREE and t not in hist.content]
    hist.content.update(content_keys(git, missing))


def _coverage(git: Git, hist: History, entries: list[RecordEntry]) -> list[CommitEntry]:
    """Which commits valid approvals cover. A merge matched by its side parent is judged with the gate's
    own check (:func:`merge_gaps`): not covered when it brings in more than the approval showed or leaves
    out part of it."""
    covered: dict[int, list[tuple[str, str]]] = defaultdict(list)
    merged: list[tuple[RecordEntry, int]] = []
    for e in entries:
        if not (e.valid and e.record):
            continue
        head, tree = reviewed_tree(e.record.subject)
        base, base_tree = reviewed_base(e.record.subject)
        e.landed = bool(hist.match_head(head, tree))
        if e.verdict != APPROVE:
            continue
        for i, how in sorted(hist.covered_by(base, base_tree, head, tree).items()):
            if how == "merged":
                merged.append((e, i))
                continue
            covered[i].append((e.path, how))
            if i >= hist.start:
                e.covers.append(hist.commits[i].sha)
    refused: dict[int, list[str]] = defaultdict(list)
    for (e, i), why in zip(merged, merge_gaps(git, hist, merged), strict=True):
        if why:
            refused[i].append(f"{e.path}: {why}")
            continue
        covered[i].append((e.path, "merged"))
        if i >= hist.start:
            e.covers.append(hist.commits[i].sha)
    out = []
    for i in range(hist.start, len(hist.commits)):
        c = hist.commits[i]
        by = covered.get(i, [])
        out.append(
            CommitEntry(
                c.sha,
                c.subject,
                c.author,
                c.time,
                c.is_merge,
                records_only=hist.signoff_only(i),
                covered_by=[p for p, _ in by],
                how=by[0][1] if by else "",
                not_covered=[] if by else refused.get(i, []),
            )
        )
    return out


def merge_gaps(git: Git, hist: History, merged: list[tuple[RecordEntry, int]]) -> list[str]:
    """For each approval matched to merge ``i`` as its side parent: why it does not cover the merge
    (``""``: it does). The merge is judged as the gate judges a change (:func:`coverage_gaps`): what it
    brought onto the branch (its first parent to itself) must be shown identically by the reviewed diff,
    and the merge must agree with the reviewed head on every reviewed path. An evil merge, a conflict
    resolution, an octopus merge of other branches, or an approval of only the branch's last commits
    fails this."""
    if not merged:
        return []
    pairs = [(hist.commits[i - 1].tree if i else EMPTY_TREE, hist.commits[i].tree) for _, i in merged]
    diffs = tree_diffs(git, pairs)
    claims = []
    for (e, _), pair in zip(merged, pairs, strict=True):
        assert e.record is not None
        tree = reviewed_tree(e.record.subject)[1] or ""
        base_tree = reviewed_base(e.record.subject)[1] or ""
        paths = frozenset(e.record.subject.paths)
        claims.append(Claim(needs_review(diffs[pair]), pair[1], base_tree, tree, paths))
    out = []
    for (e, _), gap in zip(merged, coverage_gaps(git, claims), strict=True):
        assert e.record is not None
        span = f"{e.record.subject.base[:12]}..{e.record.subject.head[:12]}"
        out.append("" if gap == [] else gap_reason(gap, span))
    return out


def _ai_signals(
    git: Git,
    hist: History,
    commits: list[CommitEntry],
    ai_config: dict[str, Any],
    missing: list[MissingObject] | None = None,
) -> None:
    """Fill ``ai_commits`` / ``ai_lines`` of the unreviewed commits (one ``git log``, one ``diff-tree``)."""
    unreviewed = [c for c in commits if not c.reviewed]
    if not unreviewed or hist.tip is None:
        return

    first = hist.commits[hist.start]
    base = first.parents[0] if first.parents else EMPTY_TREE
    infos = {c.sha: c for c in read_commits(git, base, hist.tip, load_catalogue(ai_config))}
    # Which commits each first-parent commit brought in (a merge brings its side branch).
    claimed: set[str] = set(hist.index)
    brought: dict[str, list[str]] = {}
    for c in hist.commits[hist.start :]:
        mine = [c.sha]
        stack = list(c.parents[1:])
        while stack:
            sha = stack.pop()
            if sha in claimed or sha not in infos:
                continue
            claimed.add(sha)
            mine.append(sha)
            stack.extend(infos[sha].parents)
        brought[c.sha] = mine
    need_lines: dict[str, str] = {}
    for entry in unreviewed:
        for sha in brought.get(entry.sha, [entry.sha]):
            info = infos.get(sha)
            if info is None or not info.ai:
                continue
            entry.ai_commits.append((sha, info.reason))
            if info.note is not None and info.note.ai_lines:
                entry.ai_lines += info.note.ai_lines
            else:
                need_lines[sha] = entry.sha
    if need_lines:
        added = added_lines(git, {sha: infos[sha].parents[:1] for sha in need_lines}, missing)
        by_entry = {c.sha: c for c in unreviewed}
        for sha, owner in need_lines.items():
            by_entry[owner].ai_lines += added.get(sha, 0)


def added_lines(
    git: Git, commits: dict[str, tuple[str, ...]], missing: list[MissingObject] | None = None
) -> dict[str, int]:
    """Added lines of each commit against its first parent (root: all lines), one ``diff-tree --stdin``.

    When objects are missing (a partial clone), each commit is read on its own; one that cannot be read
    counts 0 and is added to ``missing`` with the path of the object it lacks.
    """
    try:
        return _parse_numstat(git.run([*_NUMSTAT, "--stdin"], input=_numstat_input(commits)))
    except GitCommandError as exc:
        if missing_object_in(exc) is None:
            raise
    out: dict[str, int] = {}
    for sha, parents in commits.items():
        try:
            out.update(_parse_numstat(git.run([*_NUMSTAT, "--stdin"], input=_numstat_input({sha: parents}))))
        except GitCommandError as exc:
            oid = missing_object_in(exc)
            if oid is None:
                raise
            out[sha] = 0
            if missing is not None:
                path = path_of_object(git, sha, oid)
                if path == "?" and parents:
                    path = path_of_object(git, parents[0], oid)
                missing.append(MissingObject(sha, path, oid))
    return out


_NUMSTAT = ["diff-tree", "-z", "--numstat", "--no-renames", "--root", "--no-ext-diff", "--no-textconv"]


def _numstat_input(commits: dict[str, tuple[str, ...]]) -> bytes:
    return "".join(" ".join((sha, *parents)) + "\n" for sha, parents in commits.items()).encode()


def _parse_numstat(raw: bytes) -> dict[str, int]:
    out: dict[str, int] = {}
    current = ""
    for tok in raw.split(b"\0"):
        tok = tok.lstrip(b"\n")
        if not tok:
            continue
        if b"\t" not in tok:
            current = tok.decode("ascii", "replace").strip()
            out.setdefault(current, 0)
            continue
        count = tok.split(b"\t", 1)[0]
        if count.isdigit() and current:
            out[current] += int(count)
    return out


def _staleness(git: Git, hist: History, entries: list[RecordEntry]) -> None:
    """Mark landed valid records whose reviewed paths now differ at the tip; find superseded ones."""
    if hist.tip is None:
        return
    tip = hist.tip
    todo = []
    for e in entries:
        if not (e.valid and e.record and e.landed):
            continue
        tree = reviewed_tree(e.record.subject)[1]
        if tree is None or tree not in hist.content:  # not in this clone: unknown
            continue
        todo.append((e, tree))
    pairs = [(tree, p) for e, tree in todo for p in e.record.subject.paths]  # type: ignore[union-attr]
    pairs += [(tip, p) for _, p in pairs]
    blobs = blobs_at(git, pairs)
    # path -> [(finished, blob)] of valid approvals, to tell superseded from stale.
    approved: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for e, tree in todo:
        if e.approval:
            for p in e.record.subject.paths:  # type: ignore[union-attr]
                approved[p].append((e.finished, blobs.get((tree, p))))
    for e, tree in todo:
        changed = [
            p
            for p in e.record.subject.paths  # type: ignore[union-attr]
            if (tree, p) in blobs and blobs[(tree, p)] != blobs.get((tip, p))
        ]
        e.stale = bool(changed)
        e.stale_paths = changed
        if changed:
            e.superseded = all(
                any(f > e.finished and b == blobs.get((tip, p)) for f, b in approved.get(p, ()))
                for p in changed
            )


def _failed_answers(entries: list[RecordEntry]) -> list[FailedAnswer]:
    """Each ``fail`` answer of a valid record, resolved by the earliest later valid record that answers
    the same question ``pass``/``na`` about an overlapping set of paths (or either has no paths)."""
    # (question, path) -> sorted [(finished, record)]; path "" holds records without paths.
    passing: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    by_question: dict[str, list[tuple[str, str]]] = defaultdict(list)
    fails: list[tuple[RecordEntry, Any]] = []
    for e in entries:
        if not (e.valid and e.record):
            continue
        for a in e.record.answers:
            if a.answer in PASSING:
                row = (e.finished, e.path)
                by_question[a.id].append(row)
                for p in e.record.subject.paths or [""]:
                    passing[(a.id, p)].append(row)
            elif a.answer == "fail":
                fails.append((e, a))
    if not fails:
        return []
    for rows in (*passing.values(), *by_question.values()):
        rows.sort()

    def first_after(rows: list[tuple[str, str]], when: str) -> tuple[str, str] | None:
        k = bisect.bisect_right(rows, (when, "\uffff"))
        return rows[k] if k < len(rows) else None

    out = []
    for e, a in fails:
        paths = e.record.subject.paths  # type: ignore[union-attr]
        lists = (
            [by_question.get(a.id, [])] if not paths else [passing.get((a.id, p), []) for p in [*paths, ""]]
        )
        hits = [h for rows in lists if (h := first_after(rows, e.finished)) is not None]
        resolved = min(hits)[1] if hits else None
        out.append(FailedAnswer(e.path, e.reviewer, e.finished, a.id, a.text, a.severity, a.note, resolved))
    out.sort(key=lambda f: (f.finished, f.record, f.question))
    return out


def _reviewer_stats(entries: list[RecordEntry]) -> list[ReviewerStats]:
    stats: dict[str, ReviewerStats] = {}
    for e in entries:
        who = e.reviewer or "(unknown)"
        s = stats.setdefault(who, ReviewerStats(who))
        s.records += 1
        if not e.valid:
            s.invalid += 1
            continue
        s.valid += 1
        s.approvals += e.verdict == APPROVE
        s.changes_requested += e.verdict == "changes-requested"
        s.rejected += e.verdict == "reject"
        s.commits_covered += len(e.covers)
        s.stale += bool(e.stale and not e.superseded)
        s.last = max(s.last, e.finished)
    return sorted(stats.values(), key=lambda s: (-s.records, s.reviewer))
