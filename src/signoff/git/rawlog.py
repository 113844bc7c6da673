"""One reader for ``git log -z --raw --format=%x01...`` output: each commit's format line and its changes.

The audit's change walk, the record log and the evil-merge check all read this shape; the ``%x01`` that
starts each format line marks a commit, ``--raw`` lines (``:mode mode blob blob STATUS``) are followed by
their path as the next NUL-separated token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

#: ``git log`` options for this shape: NUL-separated, full blob ids, no renames, no programs, and merges
#: against their first parent (a change only a merge brings in is listed too). Add ``--format=%x01...``.
RAW_LOG = (
    "log",
    "-z",
    "--no-show-signature",
    "--no-renames",
    "--no-ext-diff",
    "--no-textconv",
    "--diff-merges=first-parent",
    "--raw",
    "--no-abbrev",
)


@dataclass(frozen=True, slots=True)
class RawChange:
    """One ``--raw`` line: modes, blob ids and status letter (``A``, ``M``, ``D``, ``T``...) of a path."""

    path: str
    old_mode: str
    new_mode: str
    old: str
    new: str
    status: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.old_mode, self.old, self.new_mode, self.new)


def parse_raw(data: bytes) -> Iterator[tuple[str | None, RawChange | None]]:
    """Items of ``-z --raw`` output: ``(header, None)`` for a line that is not a change (a ``--format``
    line of ``git log``, or the echoed input of ``diff-tree --stdin``), ``(None, change)`` per path."""
    tokens = data.split(b"\0")
    i = 0
    while i < len(tokens):
        tok = tokens[i].lstrip(b"\n")
        i += 1
        if not tok.startswith(b":"):
            head, _, tok = tok.partition(b"\n")
            if head.strip():
                yield head.decode("utf-8", "replace").strip(), None
            tok = tok.lstrip(b"\n")
        if not tok.startswith(b":") or i >= len(tokens):
            continue
        meta = tok[1:].split()
        path = tokens[i].decode("utf-8", "surrogateescape")
        i += 1
        if len(meta) >= 5:
            old_mode, new_mode, old, new, status = (m.decode("ascii", "replace") for m in meta[:5])
            yield None, RawChange(path, old_mode, new_mode, old, new, status[:1])


def raw_log(data: bytes) -> Iterator[tuple[str, list[RawChange]]]:
    """``(format line, changes)`` per commit of ``git log --format=%x01...`` output, in git's order.
    Changes before the first commit line are ignored."""
    header: str | None = None
    changes: list[RawChange] = []
    for head, change in parse_raw(data):
        if head is not None and head.startswith("\x01"):
            if header is not None:
                yield header, changes
            header, changes = head[1:], []
        elif change is not None and header is not None:
            changes.append(change)
    if header is not None:
        yield header, changes
