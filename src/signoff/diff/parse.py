"""Parse one streamed ``git diff --raw -p -z`` into the diff model; untracked files as diffs."""

from __future__ import annotations

import hashlib
import os
import queue
import re
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from signoff.diff.model import (
    _STATUS_LETTERS,
    BINARY_SNIFF,
    NULL_SHA,
    Diff,
    DiffOptions,
    FileDiff,
    FileStatus,
    Hunk,
    _count_prefix,
)

if TYPE_CHECKING:
    from signoff.git.runner import Git
    from signoff.git.target import ReviewTarget

#: Default limit on one file's patch text; larger files are listed as too large, with counts only.


# --------------------------------------------------------------------------------------------------
# Parsing


@dataclass
class _RawEntry:
    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str
    status: str
    score: int | None
    paths: list[str]


_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$", re.MULTILINE)
_DIFF_START = b"diff --git "
_UNMERGED = b"* Unmerged path "


def parse_raw(data: bytes) -> tuple[list[_RawEntry], int]:
    """Parse the ``--raw -z`` section; return the entries and the offset where the patch starts."""
    entries: list[_RawEntry] = []
    pos = 0
    n = len(data)
    while pos < n and data[pos : pos + 1] == b":":
        end = data.index(b"\0", pos)
        meta = data[pos + 1 : end].decode("ascii").split(" ")
        old_mode, new_mode, old_blob, new_blob, status = meta[:5]
        letter, score = status[0], (int(status[1:]) if status[1:].isdigit() else None)
        pos = end + 1
        paths = []
        for _ in range(2 if letter in "RC" else 1):
            end = data.index(b"\0", pos)
            paths.append(os.fsdecode(data[pos:end]))
            pos = end + 1
        entries.append(_RawEntry(old_mode, new_mode, old_blob, new_blob, letter, score, paths))
    if data[pos : pos + 1] == b"\0":
        pos += 1
    return entries, pos


def _file_from_raw(entry: _RawEntry) -> FileDiff:
    status = _STATUS_LETTERS.get(entry.status, FileStatus.MODIFIED)
    old_path = entry.paths[0] if status is not FileStatus.ADDED else None
    new_path = entry.paths[-1] if status is not FileStatus.DELETED else None
    return FileDiff(
        status=status,
        old_path=old_path,
        new_path=new_path,
        old_mode=entry.old_mode,
        new_mode=entry.new_mode,
        old_blob=None if entry.old_blob == NULL_SHA else entry.old_blob,
        new_blob=None if entry.new_blob == NULL_SHA else entry.new_blob,
        similarity=entry.score if status in (FileStatus.RENAMED, FileStatus.COPIED) else None,
    )


def parse_block(block: bytes, into: FileDiff, max_bytes: int) -> None:
    """Parse one ``diff --git`` block (header and hunks) into ``into``."""
    at = block.find(b"\n@@ ")
    header = block if at < 0 else block[: at + 1]
    for line in header.split(b"\n"):
        if line.startswith(b"Binary files ") or line.startswith(b"GIT binary patch"):
            into.binary = True
    if at < 0:
        return
    body = block[at + 1 :]
    text = body.decode("utf-8", "replace")
    into.added += _count_prefix(text, "+")
    into.removed += _count_prefix(text, "-")
    if len(body) > max_bytes:
        into.too_large = True
        into.hunks.clear()
        return
    if into.too_large:
        return
    matches = list(_HUNK_RE.finditer(text))
    for i, m in enumerate(matches):
        start = m.end() + 1
        end = matches[i + 1].start() - 1 if i + 1 < len(matches) else len(text)
        chunk = text[start:end] if start <= end else ""
        if chunk.endswith("\n"):
            chunk = chunk[:-1]
        into.hunks.append(
            Hunk(
                old_start=int(m.group(1)),
                old_count=int(m.group(2)) if m.group(2) is not None else 1,
                new_start=int(m.group(3)),
                new_count=int(m.group(4)) if m.group(4) is not None else 1,
                section=m.group(5),
                body=chunk,
            )
        )


def _split_blocks(buf: bytes) -> tuple[list[bytes], bytes]:
    """Split complete ``diff --git`` blocks off the front of ``buf``; return them and the remainder."""
    last = buf.rfind(b"\n" + _DIFF_START)
    if last < 0:
        return [], buf
    complete, rest = buf[: last + 1], buf[last + 1 :]
    return _blocks_of(complete), rest


def _blocks_of(data: bytes) -> list[bytes]:
    blocks: list[bytes] = []
    lines_start = 0
    # Drop "* Unmerged path" notices, which carry no block.
    if data.startswith(_UNMERGED) or b"\n" + _UNMERGED in data:
        data = b"\n".join(ln for ln in data.split(b"\n") if not ln.startswith(_UNMERGED))
    while True:
        nxt = data.find(b"\n" + _DIFF_START, lines_start)
        if nxt < 0:
            if data[lines_start:].strip():
                blocks.append(data[lines_start:])
            return blocks
        if data[lines_start : nxt + 1].strip():
            blocks.append(data[lines_start : nxt + 1])
        lines_start = nxt + 1


def diff_args(target: ReviewTarget, context: int = 3) -> list[str]:
    """The one ``git diff`` invocation that produces the raw + patch stream for ``target``."""
    args = [
        "diff",
        "--raw",
        "-p",
        "-z",
        "--no-abbrev",
        "--full-index",
        "-M",
        f"-U{context}",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--submodule=short",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ]
    if target.kind == "staged":
        args += ["--cached", "--end-of-options", target.base]
    elif target.kind == "worktree":
        args += ["--end-of-options", target.base]
    else:
        args += ["--end-of-options", target.base, target.head or "HEAD"]
    return [*args, "--"]


class _BlockAssigner:
    """Hands each parsed patch block to the raw entry it belongs to (typechanges take two blocks)."""

    def __init__(self, files: list[FileDiff], max_bytes: int) -> None:
        self.files = files
        self.max_bytes = max_bytes
        self.index = 0
        self.pending_second = False

    def feed(self, block: bytes) -> None:
        while self.index < len(self.files) and self.files[self.index].status is FileStatus.UNMERGED:
            self.index += 1
        if self.index >= len(self.files):
            return
        target = self.files[self.index]
        parse_block(block, target, self.max_bytes)
        if target.status is FileStatus.TYPECHANGE and not self.pending_second:
            self.pending_second = True
            return
        self.pending_second = False
        self.index += 1


def load_diff(git: Git, target: ReviewTarget, options: DiffOptions | None = None) -> Diff:
    """Run one streamed ``git diff`` for ``target`` and build the :class:`Diff`."""
    opts = options or DiffOptions()
    digest = hashlib.sha256()
    files: list[FileDiff] = []
    assigner: _BlockAssigner | None = None
    buf = b""
    with git.stream(diff_args(target, opts.context)) as out:
        for chunk in _read_ahead(out):
            buf += chunk
            if assigner is None:
                if b"\0\0" not in buf and b"\0diff --git " not in buf:
                    continue
                entries, pos = parse_raw(buf)
                files = [_file_from_raw(e) for e in entries]
                assigner = _BlockAssigner(files, opts.max_file_bytes)
                buf = buf[pos:]
            blocks, buf = _split_blocks(buf)
            for block in blocks:
                digest.update(block)
                assigner.feed(block)
    if assigner is None:
        entries, pos = parse_raw(buf)
        files = [_file_from_raw(e) for e in entries]
        assigner = _BlockAssigner(files, opts.max_file_bytes)
        buf = buf[pos:]
    for block in _blocks_of(buf):
        digest.update(block)
        assigner.feed(block)
    if target.kind == "worktree" and target.untracked:
        for f in untracked_file_diffs(git, opts):
            digest.update(f"untracked {f.path} {f.new_blob}\n".encode("utf-8", "surrogateescape"))
            files.append(f)
    _fill_sizes(git, files)
    return Diff(target=target, files=files, patch_sha256=digest.hexdigest())


def _read_ahead(stream: IO[bytes], chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """Yield chunks of ``stream`` read by a background thread, so git keeps writing while we parse."""
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=64)

    def pump() -> None:
        try:
            while chunk := stream.read(chunk_size):
                chunks.put(chunk)
        except BaseException as exc:  # handed to the consumer
            chunks.put(exc)
        finally:
            chunks.put(None)

    reader = threading.Thread(target=pump, name="signoff-diff-reader", daemon=True)
    reader.start()
    while (item := chunks.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item
    reader.join()


def _fill_sizes(git: Git, files: list[FileDiff]) -> None:
    """Blob sizes from one ``git cat-file --batch-check``; work-tree sides from ``lstat``."""
    wanted = sorted({b for f in files for b in (f.old_blob, f.new_blob) if b and not f.is_submodule})
    sizes: dict[str, int] = {}
    if wanted:
        out = git.run(
            ["cat-file", "--batch-check=%(objectname) %(objectsize)"],
            input=("\n".join(wanted) + "\n").encode(),
        )
        for line in out.decode().splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                sizes[parts[0]] = int(parts[1])
    for f in files:
        if f.old_blob:
            f.old_size = sizes.get(f.old_blob)
        if f.new_blob and f.new_size is None:
            f.new_size = sizes.get(f.new_blob)
        elif f.new_path and f.new_size is None and not f.is_submodule:
            try:
                f.new_size = os.lstat(git.root / f.new_path).st_size
            except OSError:
                f.new_size = None


def git_blob_id(data: bytes) -> str:
    """The object id git would give ``data`` as a blob (SHA-1 repositories)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def untracked_file_diffs(git: Git, options: DiffOptions) -> list[FileDiff]:
    """Untracked, non-ignored files as added-file diffs, built in-process (no subprocess per file)."""
    out: list[FileDiff] = []
    for rel in git.untracked_files():
        path = git.root / rel
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            data, mode = os.fsencode(os.readlink(path)), "120000"
        elif stat.S_ISREG(st.st_mode):
            mode = "100755" if st.st_mode & 0o111 else "100644"
            data = b"" if st.st_size > options.max_file_bytes else Path(path).read_bytes()
        else:
            continue
        f = FileDiff(
            status=FileStatus.ADDED,
            old_path=None,
            new_path=rel,
            old_mode="000000",
            new_mode=mode,
            new_size=st.st_size,
            untracked=True,
        )
        if st.st_size > options.max_file_bytes:
            f.too_large = True
        else:
            f.new_blob = git_blob_id(data)
            f.binary = b"\0" in data[:BINARY_SNIFF]
        if not f.binary and not f.too_large and data:
            text = data.decode("utf-8", "replace")
            lines = text.split("\n")
            no_newline = not text.endswith("\n")
            if not no_newline:
                lines.pop()
            body = "\n".join("+" + ln for ln in lines)
            if no_newline:
                body += "\n\\ No newline at end of file"
            f.hunks.append(Hunk(0, 0, 1, len(lines), "", body))
            f.added = len(lines)
        out.append(f)
    return out
