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
import contextlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
from signoff.config import load_repo_config, section
from signoff.diff.model import MissingObject
from signoff.errors import GitCommandError, UsageError
from signoff.git.history import History, first_parent_history
from signoff.git.objects import (
    blob_id,
    blobs_at,
    content_keys,
    missing_object_in,
    object_sizes,
    path_of_object,
    read_objects,
    tree_of,
)
from signoff.git.runner import EMPTY_TREE, Git
from signoff.provenance.catalogue import load_catalogue
from signoff.provenance.commits import read_commits
from signoff.records.codec import MAX_RECORD_BYTES, loads, read_bytes
from signoff.records.model import RecordError, Subject
from signoff.records.store import REVIEWS_DIR, cap_records, list_records, too_many_message
from signoff.signing.verify import Status, Verification, Verifier

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


def _from_verification(v: Verification, path: str, **kw: Any) -> RecordEntry:
    return RecordEntry(path, v.status, v.reason, v.record, v.signer, v.key, **kw)


def load_tree_records(git: Git, verifier: Verifier) -> list[RecordEntry]:
    """Every record under ``.signoff/reviews`` of the work tree (the newest MAX_RECORDS), verified."""
    paths, skipped = cap_records(list_records(git.root))
    results = verifier.verify_paths(paths)
    out = [_from_verification(v, _relative(git.root, p)) for v, p in zip(results, paths, strict=True)]
    if skipped:
        out.append(RecordEntry(str(REVIEWS_DIR), Status.MALFORMED, too_many_message(skipped)))
    return out


def load_history_records(git: Git, verifier: Verifier, skip_blobs: set[str]) -> list[RecordEntry]:
    """Every record version ever committed on any ref and not in ``skip_blobs``, verified in process.

    One ``git log --all --raw`` lists the blobs, one ``git cat-file --batch`` reads them.
    """
    raw = git.run(
        [
            "log",
            "-z",
            "--all",
            "--no-show-signature",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--diff-merges=first-parent",
            "--format=%x01%H",
            "--raw",
            "--no-abbrev",
            "--",
            str(REVIEWS_DIR),
        ]
    )
    first_seen: dict[str, tuple[str, str]] = {}
    commit = ""
    tokens = raw.split(b"\0")
    i = 0
    while i < len(tokens):
        tok = tokens[i].lstrip(b"\n")
        i += 1
        if tok.startswith(b"\x01"):
            commit = tok[1:].decode()
        elif tok.startswith(b":") and i < len(tokens):
            meta = tok.split()
            path = tokens[i].decode("utf-8", "surrogateescape")
            i += 1
            if len(meta) >= 5 and meta[4][:1] in (b"A", b"M", b"T"):
                blob = meta[3].decode()
                if path.endswith(".toml") and blob not in skip_blobs:
                    first_seen[blob] = (path, commit)  # log is newest first: keep the oldest
    blobs = sorted(first_seen)
    sizes = object_sizes(git, blobs)
    out: list[RecordEntry] = []
    readable: list[str] = []
    for blob in blobs:
        path, commit = first_seen[blob]
        size = sizes.get(blob)
        if size is None:
            reason = f"blob {blob[:12]} missing (not in this clone): skipped"
            out.append(RecordEntry(path, Status.MALFORMED, reason, in_tree=False, commit=commit))
        elif size > MAX_RECORD_BYTES:
            reason = f"larger than {MAX_RECORD_BYTES} bytes: not read"
            out.append(RecordEntry(path, Status.MALFORMED, reason, in_tree=False, commit=commit))
        else:
            readable.append(blob)
    # Read in batches: memory stays bounded however many record versions history holds.
    for start in range(0, len(readable), _HISTORY_BATCH):
        batch = readable[start : start + _HISTORY_BATCH]
        objects = read_objects(git, batch)
        for blob in batch:
            out.append(_history_entry(verifier, blob, objects.get(blob), *first_seen[blob]))
    return out


_HISTORY_BATCH = 1000


def _history_entry(
    verifier: Verifier, blob: str, got: tuple[str, bytes, bytes] | None, path: str, commit: str
) -> RecordEntry:
    """The audit entry of one record version read from history."""
    source = f"{path}@{commit[:12]}"
    if got is None:
        reason = f"blob {blob[:12]} missing (not in this clone): skipped"
        return RecordEntry(path, Status.MALFORMED, reason, in_tree=False, commit=commit)
    try:
        record = loads(got[2].decode("utf-8"), source)
    except UnicodeDecodeError:
        return RecordEntry(path, Status.MALFORMED, "not UTF-8", in_tree=False, commit=commit)
    except RecordError as exc:
        reason = f"{exc.field}: {exc.reason}" if exc.field else exc.reason
        return RecordEntry(path, Status.MALFORMED, reason, in_tree=False, commit=commit)
    return _from_verification(verifier.verify(record, source), path, in_tree=False, commit=commit)


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


def _relative(root: Path, p: Path) -> str:
    text, prefix = str(p), str(root).rstrip("/") + "/"
    return text[len(prefix) :] if text.startswith(prefix) else text


# --------------------------------------------------------------------------------------------------
# The audit


def audit_settings(git: Git) -> dict[str, Any]:
    """``[audit]`` and ``[review]`` settings of the repository config, checked."""
    cfg = load_repo_config(git.root)
    audit = section(cfg, "audit")
    review = section(cfg, "review")
    out = {
        "since": audit.get("since") or None,
        "stale_is_problem": audit.get("stale_is_problem", False),
        "unreviewed_is_problem": audit.get("unreviewed_is_problem", True),
        "default_branch": review.get("default_branch") or None,
        "ai": section(cfg, "ai"),
    }
    for key in ("stale_is_problem", "unreviewed_is_problem"):
        if not isinstance(out[key], bool):
            raise UsageError(f".signoff/config.toml: [audit] {key} must be true or false")
    for key, value in (("[audit] since", out["since"]), ("[review] default_branch", out["default_branch"])):
        if value is not None and not isinstance(value, str):
            raise UsageError(f".signoff/config.toml: {key} must be a string")
    return out


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
) -> AuditReport:
    """Audit the repository (headless). ``since``/``branch`` default to the ``[audit]``/``[review]`` config.

    This is the data source of the TUI history screen: records with validity and staleness, and the
    commits of the default branch still unreviewed.
    """
    settings = audit_settings(git)
    since = since if since is not None else settings["since"]
    hist = first_parent_history(git, branch or settings["default_branch"], since)
    verifier = verifier or Verifier.for_repo(git, allowed_signers=allowed_signers)
    entries = load_tree_records(git, verifier)
    if include_history:
        known = set()
        for e in entries:
            with contextlib.suppress(OSError, RecordError):  # a FIFO, device or huge file is never read
                known.add(blob_id(read_bytes(git.root / e.path), git.object_format))
        entries += load_history_records(git, verifier, known)
    check_head_trees(git, entries)
    _add_content_keys(git, hist, entries)
    commits = _coverage(hist, entries)
    warnings = [f"allowed signers: {p}" for p in verifier.allowed.errors]
    missing: list[MissingObject] = []
    if ai and hist.tip:
        _ai_signals(git, hist, commits, settings["ai"], missing)
    warnings += [m.warning() for m in missing]
    _staleness(git, hist, entries)
    failed = _failed_answers(entries)
    findings = audit_findings(git, entries, hist.tip, sarif)
    return AuditReport(
        branch=hist.branch,
        tip=hist.tip,
        since=since,
        include_history=include_history,
        allowed_signers=str(verifier.allowed_path) if verifier.allowed_path else None,
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


def _add_content_keys(git: Git, hist: History, entries: list[RecordEntry]) -> None:
    trees: list[str] = []
    for e in entries:
        if e.valid and e.record:
            trees.append(reviewed_tree(e.record.subject)[1] or "")
            trees.append(reviewed_base(e.record.subject)[1] or "")
    missing = [t for t in dict.fromkeys(trees) if t and t != EMPTY_TREE and t not in hist.content]
    hist.content.update(content_keys(git, missing))


def _coverage(hist: History, entries: list[RecordEntry]) -> list[CommitEntry]:
    covered: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for e in entries:
        if not (e.valid and e.record):
            continue
        head, tree = reviewed_tree(e.record.subject)
        base, base_tree = reviewed_base(e.record.subject)
        e.landed = bool(hist.match_head(head, tree))
        if e.verdict != APPROVE:
            continue
        for i, how in sorted(hist.covered_by(base, base_tree, head, tree).items()):
            covered[i].append((e.path, how))
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
            )
        )
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
