"""The diff under review: files, hunks and lines, parsed from one streamed ``git diff --raw -p -z``.

Hunks keep their body as one string (each line with its ``' '``/``'+'``/``'-'``/``'\\'`` prefix) and
materialise :class:`Line` objects only when asked, so a 500,000-line diff costs little more memory than
its text. Counts come from C-speed ``str.count`` rather than a Python loop per line.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from signoff.gitio import Git, ReviewTarget

#: Default limit on one file's patch text; larger files are listed as too large, with counts only.
DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024
NULL_SHA = "0" * 40
BINARY_SNIFF = 8000


class FileStatus(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"
    TYPECHANGE = "typechange"
    UNMERGED = "unmerged"


#: One-letter marks, as in ``git diff --name-status``.
STATUS_MARK = {
    "added": "A",
    "modified": "M",
    "deleted": "D",
    "renamed": "R",
    "copied": "C",
    "typechange": "T",
    "unmerged": "U",
}

_STATUS_LETTERS = {
    "A": FileStatus.ADDED,
    "M": FileStatus.MODIFIED,
    "D": FileStatus.DELETED,
    "R": FileStatus.RENAMED,
    "C": FileStatus.COPIED,
    "T": FileStatus.TYPECHANGE,
    "U": FileStatus.UNMERGED,
}


class LineKind(StrEnum):
    CONTEXT = "context"
    ADDED = "added"
    REMOVED = "removed"


_PREFIX_KIND = {" ": LineKind.CONTEXT, "+": LineKind.ADDED, "-": LineKind.REMOVED}


@dataclass(slots=True)
class Line:
    """One line of a hunk."""

    kind: LineKind
    text: str
    old_no: int | None
    new_no: int | None
    no_newline: bool = False


@dataclass
class Hunk:
    """One ``@@`` hunk; ``body`` holds its lines with their prefixes, joined by newlines."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str
    body: str
    _lines: list[Line] | None = field(default=None, repr=False, compare=False)

    @property
    def header(self) -> str:
        old = f"{self.old_start},{self.old_count}" if self.old_count != 1 else str(self.old_start)
        new = f"{self.new_start},{self.new_count}" if self.new_count != 1 else str(self.new_start)
        tail = f" {self.section}" if self.section else ""
        return f"@@ -{old} +{new} @@{tail}"

    @property
    def added(self) -> int:
        return _count_prefix(self.body, "+")

    @property
    def removed(self) -> int:
        return _count_prefix(self.body, "-")

    @property
    def lines(self) -> list[Line]:
        """The hunk's lines, with old/new numbers; "no newline at end of file" marks the line before it."""
        if self._lines is None:
            self._lines = _materialise(self)
        return self._lines

    def intraline(self) -> dict[int, list[tuple[int, int]]]:
        """Changed character spans per index into :attr:`lines`, for paired removed/added lines."""
        from signoff.intraline import hunk_spans

        return hunk_spans(self.lines)

    def added_lines(self) -> Iterator[tuple[int, str]]:
        """``(new line number, text)`` of each added line."""
        for line in self.lines:
            if line.kind is LineKind.ADDED:
                yield line.new_no or 0, line.text

    def new_line_at(self, offset: int) -> int:
        """New-side line number of the body line containing character ``offset``."""
        before = self.body[:offset]
        start = before.rfind("\n") + 1
        skipped = _count_prefix(before[:start], "-") + _count_prefix(before[:start], "\\")
        return self.new_start + before.count("\n") - skipped

    def old_line_at(self, offset: int) -> int:
        """Old-side line number of the body line containing character ``offset``."""
        before = self.body[:offset]
        start = before.rfind("\n") + 1
        skipped = _count_prefix(before[:start], "+") + _count_prefix(before[:start], "\\")
        return self.old_start + before.count("\n") - skipped


def _count_prefix(body: str, prefix: str) -> int:
    if not body:
        return 0
    return body.count("\n" + prefix) + (1 if body.startswith(prefix) else 0)


def _materialise(hunk: Hunk) -> list[Line]:
    out: list[Line] = []
    old_no, new_no = hunk.old_start, hunk.new_start
    if not hunk.body:
        return out
    for raw in hunk.body.split("\n"):
        if not raw:
            # An empty context line whose leading space was stripped by a mail client or editor.
            out.append(Line(LineKind.CONTEXT, "", old_no, new_no))
            old_no += 1
            new_no += 1
            continue
        prefix = raw[0]
        if prefix == "\\":
            if out:
                out[-1].no_newline = True
            continue
        kind = _PREFIX_KIND.get(prefix, LineKind.CONTEXT)
        text = raw[1:]
        if kind is LineKind.ADDED:
            out.append(Line(kind, text, None, new_no))
            new_no += 1
        elif kind is LineKind.REMOVED:
            out.append(Line(kind, text, old_no, None))
            old_no += 1
        else:
            out.append(Line(kind, text, old_no, new_no))
            old_no += 1
            new_no += 1
    return out


@dataclass
class FileDiff:
    """One changed file."""

    status: FileStatus
    old_path: str | None
    new_path: str | None
    old_mode: str = ""
    new_mode: str = ""
    old_blob: str | None = None
    new_blob: str | None = None
    similarity: int | None = None
    binary: bool = False
    too_large: bool = False
    untracked: bool = False
    old_size: int | None = None
    new_size: int | None = None
    added: int = 0
    removed: int = 0
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The path to show: the new path, or the old one for a deletion."""
        return self.new_path or self.old_path or ""

    @property
    def is_submodule(self) -> bool:
        return "160000" in (self.old_mode, self.new_mode)

    @property
    def is_symlink(self) -> bool:
        return "120000" in (self.old_mode, self.new_mode)

    @property
    def mode_changed(self) -> bool:
        return bool(
            self.old_mode
            and self.new_mode
            and self.old_mode != self.new_mode
            and "000000"
            not in (
                self.old_mode,
                self.new_mode,
            )
        )

    def added_lines(self) -> Iterator[tuple[int, str]]:
        for hunk in self.hunks:
            yield from hunk.added_lines()


@dataclass
class DiffOptions:
    """Knobs for loading a diff."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    context: int = 3


@dataclass
class Diff:
    """The whole change under review."""

    target: ReviewTarget | None
    files: list[FileDiff]
    patch_sha256: str

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def removed(self) -> int:
        return sum(f.removed for f in self.files)

    def file(self, path: str) -> FileDiff | None:
        for f in self.files:
            if f.path == path or f.old_path == path:
                return f
        return None


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
