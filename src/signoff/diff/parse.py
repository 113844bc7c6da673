"""Parse one streamed ``git diff --raw -p -z`` into the diff model; untracked files as diffs."""

from __future__ import annotations

import copy
import hashlib
import os
import queue
import re
import stat
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from signoff.diff.model import (
    _STATUS_LETTERS,
    BINARY_SNIFF,
    NULL_SHA,
    Diff,
    DiffOptions,
    FileDiff,
    FileStatus,
    Hunk,
    MissingObject,
    _count_prefix,
    review_order,
)
from signoff.errors import GitCommandError, RepoError
from signoff.git.objects import blob_id, missing_object_in, object_sizes, read_objects

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


#: A hunk header after the newline that ends the line before it (a literal start: ``re`` jumps from one
#: candidate to the next instead of trying every line start).
_HUNK_RE = re.compile(r"\n@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?([^\n]*)")
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
    # Offsets in "\n" + text: a header's match starts at the newline before it, which is the header's
    # own offset in ``text``; its body starts one past the match's end there.
    matches = list(_HUNK_RE.finditer("\n" + text))
    for i, m in enumerate(matches):
        start = m.end()
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


def diff_args(
    target: ReviewTarget, context: int = 3, *, ignore_whitespace: bool = False, paths: tuple[str, ...] = ()
) -> list[str]:
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
    if ignore_whitespace:
        args.insert(1, "--ignore-all-space")
    return [*args, "--", *paths]  # GIT_LITERAL_PATHSPECS=1: no pathspec magic


class _BlockAssigner:
    """Hands each parsed patch block to the raw entry it belongs to (typechanges take two blocks)."""

    def __init__(self, files: list[FileDiff], max_bytes: int, *, sparse: bool = False) -> None:
        self.files = files
        self.max_bytes = max_bytes
        self.index = 0
        self.pending_second = False
        #: ``-w``: a file whose changes are all whitespace has a raw entry but no patch block.
        self.sparse = sparse

    def _names_other_file(self, block: bytes) -> bool:
        head = block.split(b"\n", 1)[0]
        if b'"' in head or self.pending_second:
            return False  # quoted names: trust the order
        f = self.files[self.index]
        name = (f.new_path or f.old_path or "").encode("utf-8", "surrogateescape")
        return not head.endswith(b" b/" + name)

    def feed(self, block: bytes) -> None:
        while self.index < len(self.files) and (
            self.files[self.index].status is FileStatus.UNMERGED
            or (self.sparse and self._names_other_file(block))
        ):
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
    """Run one streamed ``git diff`` for ``target`` and build the :class:`Diff`.

    What the repository could hide is brought back : text files that its
    attributes mark binary are re-read as text, and objects missing from a partial clone are skipped with
    a note instead of failing the whole diff. Security-config changes come first (:func:`review_order`).
    """
    for diff in load_diff_parts(git, target, options):
        if not diff.partial:
            return diff
    raise AssertionError("load_diff_parts ends with the whole diff")  # pragma: no cover


def load_diff_parts(git: Git, target: ReviewTarget, options: DiffOptions | None = None) -> Iterator[Diff]:
    """:func:`load_diff`, shown as it is read: while git's output streams in, a partial :class:`Diff`
    (``partial=True``) each time more of the files in review order are parsed, then the whole diff.

    A partial diff holds the first files of the final review order whose patches are complete; the
    final diff keeps those same objects in front, unless the rest changes them (a file re-read as text,
    untracked security config, a partial clone): then they are new objects, so a viewer can tell.
    """
    opts = options or DiffOptions()
    digest = hashlib.sha256()
    missing: list[MissingObject] = []
    files: list[FileDiff] = []
    order: list[int] | None = None
    shown = 0
    try:
        args = diff_args(target, opts.context, ignore_whitespace=opts.ignore_whitespace, paths=opts.paths)
        for files, parsed in iter_files(
            git, args, opts.max_file_bytes, digest, sparse=opts.ignore_whitespace
        ):
            if parsed >= len(files):
                continue
            if order is None:
                order = _review_indices(files)
            ready = _ready_prefix(files, order, parsed)
            if len(ready) > shown:
                shown = len(ready)
                yield Diff(target, ready, "", partial=True, files_expected=len(files))
    except GitCommandError as exc:
        if not _is_missing_object_error(exc):
            raise
        digest = hashlib.sha256()
        files, missing = _degraded_files(git, target, opts, digest)
    if shown:  # what the repository could hide is re-read into copies: the objects shown stay as shown
        files = [copy.copy(f) if f.binary else f for f in files]
    _reveal_attribute_binaries(git, target, files, opts, digest)
    if target.kind == "worktree" and target.untracked:
        for f in untracked_file_diffs(git, opts):
            digest.update(f"untracked {f.path} {f.new_blob}\n".encode("utf-8", "surrogateescape"))
            files.append(f)
    _fill_sizes(git, files)
    ordered = review_order(files)
    yield Diff(target, ordered, digest.hexdigest(), missing=missing, files_expected=len(ordered))


def _ready_prefix(files: list[FileDiff], order: list[int], parsed: int) -> list[FileDiff]:
    """The files of ``order`` (indices in review order) up to the first not complete (index ``parsed``
    or later): security config comes first, so a late one holds the rest back."""
    ready: list[FileDiff] = []
    for i in order:
        if i >= parsed:
            break
        ready.append(files[i])
    return ready


def _review_indices(files: list[FileDiff]) -> list[int]:
    """Indices of ``files`` in :func:`review_order`."""
    first = [i for i, f in enumerate(files) if f.security_config]
    return (
        first + [i for i, f in enumerate(files) if not f.security_config]
        if first
        else list(range(len(files)))
    )


def stream_files(
    git: Git, args: list[str], max_bytes: int, digest: Any, *, sparse: bool = False
) -> list[FileDiff]:
    """The files of one streamed ``git diff --raw -p -z ARGS``; every patch block is fed to ``digest``.
    ``sparse``: ARGS has ``-w``, so a file may have a raw entry and no patch block."""
    parts = iter_files(git, args, max_bytes, digest, sparse=sparse)
    (last,) = deque(parts, maxlen=1)
    return last[0]


def iter_files(
    git: Git, args: list[str], max_bytes: int, digest: Any, *, sparse: bool = False
) -> Iterator[tuple[list[FileDiff], int]]:
    """:func:`stream_files` as git's output arrives: after each chunk read while more is to come (every
    file of the change, how many of the first are complete), then (every file, their number). The list
    is the same object throughout. Output that fits in one read gives the last pair only."""
    files: list[FileDiff] = []
    assigner: _BlockAssigner | None = None
    # Output not yet split into blocks, kept as chunks and joined only when what was just read (with the
    # bytes before it) holds a boundary: a huge file's patch is not re-copied and re-searched per read.
    pending: list[bytes] = []
    tail = b""
    with git.stream(args) as out:
        for chunk in _read_ahead(out):
            window, tail = tail + chunk, (tail + chunk)[-16:]
            pending.append(chunk)
            if assigner is None:
                if b"\0\0" not in window and b"\0diff --git " not in window:
                    continue
                buf = b"".join(pending)
                entries, pos = parse_raw(buf)
                files = [_file_from_raw(e) for e in entries]
                assigner = _BlockAssigner(files, max_bytes, sparse=sparse)
                pending, window = [buf[pos:]], buf[pos:]
            if b"\n" + _DIFF_START in window:
                blocks, rest = _split_blocks(b"".join(pending))
                pending = [rest]
                for block in blocks:
                    digest.update(block)
                    assigner.feed(block)
            if len(chunk) == READ_CHUNK:  # a shorter read is the end: the whole output comes next
                yield files, assigner.index
    buf = b"".join(pending)
    if assigner is None:
        entries, pos = parse_raw(buf)
        files = [_file_from_raw(e) for e in entries]
        assigner = _BlockAssigner(files, max_bytes, sparse=sparse)
        buf = buf[pos:]
    for block in _blocks_of(buf):
        digest.update(block)
        assigner.feed(block)
    yield files, len(files)


#: Bytes of git's output read at a time (a read returns fewer only at the end of the output).
READ_CHUNK = 1 << 20


def _read_ahead(stream: IO[bytes], chunk_size: int | None = None) -> Iterator[bytes]:
    """Yield chunks of ``stream`` (``READ_CHUNK`` bytes unless it ends) read by a background thread, so
    git keeps writing while we parse."""
    chunk_size = chunk_size or READ_CHUNK
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
            f.new_blob = blob_id(data, git.object_format)
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


# --------------------------------------------------------------------------------------------------
# What the repository could hide: attribute-binary text, missing objects

_PATH_BATCH = 500


def _is_missing_object_error(exc: GitCommandError) -> bool:
    return missing_object_in(exc) is not None


def _degraded_files(
    git: Git, target: ReviewTarget, opts: DiffOptions, digest: Any
) -> tuple[list[FileDiff], list[MissingObject]]:
    """The diff when objects are missing (a partial clone): list every file from ``--raw`` (which reads
    no blobs), diff the files whose blobs are here, and mark the others as missing."""
    args = diff_args(target, opts.context, ignore_whitespace=opts.ignore_whitespace)
    raw_args = [a for a in args if a not in ("-p", "-M", "--full-index") and not a.startswith("-U")]
    raw_args.insert(1, "--no-renames")
    try:
        raw = git.run(raw_args)
    except GitCommandError as exc:
        oid = missing_object_in(exc) or ""
        at = target.head or target.base
        raise RepoError(
            f"missing object {oid[:12]} (a tree) at {at[:12]}: not in this clone (partial clone?); "
            "fetch it (git fetch) to review this change"
        ) from None
    entries, _ = parse_raw(raw)
    files = [_file_from_raw(e) for e in entries]
    blobs = sorted({b for f in files for b in (f.old_blob, f.new_blob) if b and not f.is_submodule})
    have = object_sizes(git, blobs)
    missing: list[MissingObject] = []
    present: list[FileDiff] = []
    for f in files:
        gone = [(b, side) for b, side in ((f.old_blob, "old"), (f.new_blob, "new")) if b and b not in have]
        if f.is_submodule or not gone:
            present.append(f)
            continue
        f.missing_object = True
        for blob, side in gone:
            commit = target.base if side == "old" else (target.head or "")
            if target.kind != "range" and side == "new":
                commit = "the index"
            missing.append(MissingObject(commit, f.path, blob))
    by_path = {f.path: f for f in present}
    base = [args[0], "--no-renames", *args[1:]]  # ends with "--"
    for start in range(0, len(present), _PATH_BATCH):
        paths = [p for f in present[start : start + _PATH_BATCH] for p in {f.old_path, f.new_path} if p]
        got_files = stream_files(
            git, [*base, *paths], opts.max_file_bytes, digest, sparse=opts.ignore_whitespace
        )
        for got in got_files:
            if got.path in by_path:
                _take_content(by_path[got.path], got)
    return files, missing


def _take_content(into: FileDiff, got: FileDiff) -> None:
    into.hunks, into.added, into.removed = got.hunks, got.added, got.removed
    into.binary, into.too_large = got.binary, got.too_large


def _attr_values(git: Git, attr: str, paths: list[str]) -> dict[str, str]:
    """``git check-attr`` value of ``attr`` for each path (``unspecified``, ``set``, ``unset`` or a value)."""
    out = git.run(
        ["check-attr", "-z", "--stdin", attr], input=b"".join(os.fsencode(p) + b"\0" for p in paths)
    )
    parts = out.split(b"\0")
    return {
        os.fsdecode(parts[i]): parts[i + 2].decode("utf-8", "replace") for i in range(0, len(parts) - 2, 3)
    }


def _reveal_attribute_binaries(
    git: Git, target: ReviewTarget, files: list[FileDiff], opts: DiffOptions, digest: Any
) -> None:
    """Re-read as text the files git showed as binary only because of attributes.

    ``-diff``, ``binary`` or a ``diff=DRIVER`` whose config says ``binary`` make git print "Binary files
    differ" whatever the content; the change itself can set them. Text versus binary is decided by
    content instead, with git's own rule (a NUL byte in the first 8,000 bytes): such files are diffed
    again with ``--text`` (one more git call, only when there are any) and that patch joins the hash.
    """
    candidates = [
        f for f in files if f.binary and not f.too_large and not f.is_submodule and not f.missing_object
    ]
    if not candidates:
        return
    attrs = _attr_values(git, "diff", [f.path for f in candidates])
    suspects = [f for f in candidates if attrs.get(f.path, "unspecified") not in ("unspecified", "set")]
    binary = _binary_by_content(git, suspects, opts.max_file_bytes)
    suspects = [f for f in suspects if not binary[f.path]]
    if not suspects:
        return
    by_path = {f.path: f for f in suspects}
    args = diff_args(target, opts.context, ignore_whitespace=opts.ignore_whitespace)
    paths = [p for f in suspects for p in {f.old_path, f.new_path} if p]
    text_args = [args[0], "--text", *args[1:], *paths]
    for got in stream_files(git, text_args, opts.max_file_bytes, digest, sparse=opts.ignore_whitespace):
        if got.path in by_path:
            _take_content(by_path[got.path], got)


def _binary_by_content(git: Git, files: list[FileDiff], max_bytes: int) -> dict[str, bool]:
    """git's own rule on both sides of each file: a NUL byte in the first 8,000 bytes. Blobs are read in
    one ``cat-file --batch`` (those over ``max_bytes`` count as binary: they would not be shown anyway);
    work-tree sides from disk."""
    blobs = sorted({b for f in files for b in (f.old_blob, f.new_blob) if b})
    sizes = object_sizes(git, blobs)
    small = [b for b in blobs if sizes.get(b, max_bytes + 1) <= max_bytes]
    heads = {b: got[2][:BINARY_SNIFF] for b, got in read_objects(git, small).items()}
    out: dict[str, bool] = {}
    for f in files:
        verdict = False
        for blob, path in ((f.old_blob, f.old_path), (f.new_blob, f.new_path)):
            if blob:
                data = heads.get(blob, b"\0")
            elif path and f.new_path == path:
                try:
                    with open(git.root / path, "rb") as fh:
                        data = fh.read(BINARY_SNIFF)
                except OSError:
                    data = b""
            else:
                data = b""
            verdict = verdict or b"\0" in data
        out[f.path] = verdict
    return out
