"""Review records as evidence for the gate and the audit: every version ever committed, verified.

A record file that was deleted or edited still counts as what it said when it was committed (see
:mod:`signoff.records.log`). :func:`load_evidence` lists the record blobs of a history (one ``git log``),
adds the work tree's records that are not committed yet, streams the blobs (one ``git cat-file --batch``),
keeps the records a caller asks for and verifies each at the time the caller chooses (the gate: its own
clock; the audit: when the record entered the branch).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from signoff.audit.report import RecordEntry
from signoff.git.runner import Git
from signoff.records.codec import MAX_RECORD_BYTES, loads_with_payload
from signoff.records.log import RecordLog, RecordVersion, iter_blobs, record_log
from signoff.records.model import RecordError, ReviewRecord
from signoff.records.store import REVIEWS_DIR, cap_records, list_records, too_many_message
from signoff.signing.verify import Verifier

#: When a record is judged: ``None`` for the verifier's own time.
WhenFn = Callable[[RecordVersion | None], datetime | None]


@dataclass
class Evidence:
    """The records kept, and the record log they came from."""

    entries: list[RecordEntry]
    log: RecordLog
    #: Records that could not be read or parsed: ``(path, reason)``.
    unreadable: list[tuple[str, str]]
    #: Every record blob looked at (committed and work tree).
    seen: set[str]


def blob_id(data: bytes, width: int = 40) -> str:
    algo = hashlib.sha1 if width == 40 else hashlib.sha256
    return algo(b"blob %d\0" % len(data) + data).hexdigest()


def landing_time(version: RecordVersion | None) -> datetime | None:
    """The commit time of the commit that added a record (``None`` for an uncommitted one)."""
    return datetime.fromtimestamp(version.time, UTC) if version is not None and version.time else None


def load_evidence(
    git: Git,
    verifier: Verifier,
    revs: Sequence[str],
    *,
    first_parent: bool = False,
    all_refs: bool = False,
    worktree: bool = True,
    skip: frozenset[str] = frozenset(),
    keep: Callable[[ReviewRecord], bool] = lambda r: True,
    when: WhenFn = lambda v: None,
) -> Evidence:
    """Every record committed in the history of ``revs`` (``all_refs``: of every ref) plus the work
    tree's (``worktree``), filtered by ``keep``; blobs in ``skip`` are left out."""
    log = (
        record_log(git, revs, first_parent=first_parent, all_refs=all_refs)
        if revs or all_refs
        else RecordLog()
    )
    for blob in skip:
        log.versions.pop(blob, None)
    width = 64 if any(len(b) == 64 for b in log.versions) else 40
    in_tree: dict[str, str] = {}
    extra: list[tuple[str, bytes]] = []
    unreadable: list[tuple[str, str]] = []
    for path, data, problem in _worktree_records(git.root) if worktree else ():
        if data is None:
            unreadable.append((path, problem))
            continue
        blob = blob_id(data, width)
        if blob in skip:
            continue
        if blob in log.versions:
            in_tree[blob] = path
        else:
            extra.append((path, data))
    entries: list[RecordEntry] = []
    versions = sorted(log.versions.values(), key=lambda v: (v.time, v.path))
    for blob, data, problem in iter_blobs(git, [v.blob for v in versions]):
        version = log.versions[blob]
        path = in_tree.get(blob, version.path)
        if data is None:
            unreadable.append((path, f"{problem} (blob {blob[:12]} added in {version.commit[:12]}): skipped"))
            continue
        entry = _entry(verifier, path, data, f"{version.path}@{version.commit[:12]}", keep, when(version))
        if isinstance(entry, str):
            unreadable.append((path, entry))
        elif entry is not None:
            entry.in_tree = blob in in_tree
            entry.commit = version.commit
            entries.append(entry)
    for path, data in extra:
        entry = _entry(verifier, path, data, path, keep, when(None))
        if isinstance(entry, str):
            unreadable.append((path, entry))
        elif entry is not None:
            entries.append(entry)
    seen = set(log.versions) | {blob_id(data, width) for _, data in extra}
    return Evidence(entries, log, unreadable, seen)


def _entry(
    verifier: Verifier,
    path: str,
    data: bytes,
    source: str,
    keep: Callable[[ReviewRecord], bool],
    at: datetime | None,
) -> RecordEntry | str | None:
    """The verified entry, ``None`` when not kept, or why the record could not be read."""
    try:
        record, payload = loads_with_payload(data.decode("utf-8"), source)
    except UnicodeDecodeError:
        return "not UTF-8"
    except RecordError as exc:
        return f"{exc.field}: {exc.reason}" if exc.field else exc.reason
    except (RecursionError, ValueError) as exc:
        return f"cannot be read: {type(exc).__name__}"
    if not keep(record):
        return None
    v = verifier.verify(record, source, payload=payload, at=at)
    return RecordEntry(path, v.status, v.reason, v.record, v.signer, v.key)


def _worktree_records(root: Path) -> Iterator[tuple[str, bytes | None, str]]:
    """``(relative path, data, problem)`` of each record file of the work tree (no FIFOs, no symlinks)."""
    prefix = str(root).rstrip("/") + "/"
    paths, skipped = cap_records(list_records(root))
    if skipped:
        yield str(REVIEWS_DIR), None, too_many_message(skipped)
    for p in paths:
        rel = str(p)[len(prefix) :] if str(p).startswith(prefix) else str(p)
        try:
            st = os.lstat(p)
            if not stat.S_ISREG(st.st_mode):
                yield rel, None, "not a regular file"
                continue
            if st.st_size > MAX_RECORD_BYTES:
                yield rel, None, f"larger than {MAX_RECORD_BYTES} bytes: not read"
                continue
            fd = os.open(p, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as fh:
                yield rel, fh.read(MAX_RECORD_BYTES + 1), ""
        except OSError as exc:
            yield rel, None, f"cannot read: {exc.strerror}"
