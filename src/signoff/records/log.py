"""Review records as append-only evidence: every record version ever committed, read as streams.

Deleting or editing a record file removes nothing: :func:`record_log` lists every blob ever added or
changed under ``.signoff/reviews/`` in the commits reachable from some revisions (one ``git log``), with
the oldest commit that added it and that commit's time (for the audit, the time a record entered the
protected branch). :func:`iter_blobs` streams the blobs through one ``git cat-file --batch`` so memory does
not grow with history: each blob is handed on and dropped, and an oversized one is skipped unread.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from signoff.git.rawlog import RAW_LOG, raw_log
from signoff.git.runner import Git
from signoff.records.codec import MAX_RECORD_BYTES

REVIEWS_PATH = ".signoff/reviews"


@dataclass(frozen=True, slots=True)
class RecordVersion:
    """One record blob and the oldest listed commit that added (or changed a file to) it."""

    blob: str
    path: str
    commit: str
    time: int


@dataclass
class RecordLog:
    """Record blobs ever committed (oldest adding commit each) and what commits removed or edited."""

    versions: dict[str, RecordVersion] = field(default_factory=dict)
    #: commit -> record paths it deleted or modified (a commit that only *adds* records is not here).
    touched: dict[str, list[str]] = field(default_factory=dict)


def record_log(
    git: Git, revs: Sequence[str], *, first_parent: bool = False, all_refs: bool = False
) -> RecordLog:
    """Every record version committed in the history of ``revs`` (``^REV`` excludes; ``all_refs``: of
    every ref), one ``git log``.

    Merges are diffed against their first parent, so a record only a merge brings in is listed too.
    """
    args = [*RAW_LOG, "--format=%x01%H %ct"]
    if first_parent:
        args.append("--first-parent")
    if all_refs:
        args.append("--all")
    args += ["--end-of-options", *revs, "--", REVIEWS_PATH]
    out = RecordLog()
    with git.stream(args) as fh:
        data = fh.read()
    for header, changes in raw_log(data):
        parts = header.split()
        commit = parts[0] if parts else ""
        when = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        for ch in changes:
            if ch.status in ("D", "M", "T"):
                out.touched.setdefault(commit, []).append(ch.path)
            if ch.status in ("A", "M", "T") and ch.path.endswith(".toml"):
                # log lists newest first: the last sighting is the oldest commit that added the blob.
                out.versions[ch.new] = RecordVersion(ch.new, ch.path, commit, when)
    return out


def iter_blobs(
    git: Git, blobs: Sequence[str], *, limit: int = MAX_RECORD_BYTES
) -> Iterator[tuple[str, bytes | None, str]]:
    """``(blob, data, problem)`` for each blob id, streamed from one ``git cat-file --batch``.

    ``data`` is ``None`` with a ``problem`` when the blob is missing, not a blob or larger than ``limit``.
    """
    if not blobs:
        return
    with tempfile.TemporaryFile() as ids:
        ids.write("".join(f"{b}\n" for b in blobs).encode())
        ids.seek(0)
        with git.stream(["cat-file", "--batch"], stdin=ids) as out:
            yield from _read_batch(out, blobs, limit)


def _read_batch(fh: IO[bytes], blobs: Sequence[str], limit: int) -> Iterator[tuple[str, bytes | None, str]]:
    for blob in blobs:
        header = fh.readline().split()
        if len(header) != 3:
            yield blob, None, "blob missing from this clone"
            continue
        size = int(header[2])
        if header[1] != b"blob":
            _skip(fh, size + 1)
            yield blob, None, f"not a blob ({header[1].decode('ascii', 'replace')})"
        elif size > limit:
            _skip(fh, size + 1)
            yield blob, None, f"larger than {limit} bytes: not read"
        else:
            data = fh.read(size)
            fh.read(1)
            yield blob, data, ""


def _skip(fh: IO[bytes], n: int) -> None:
    while n > 0:
        chunk = fh.read(min(n, 1 << 16))
        if not chunk:
            return
        n -= len(chunk)
