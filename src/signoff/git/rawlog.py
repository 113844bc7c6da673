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
    """One ``--raw`` line: the new blob, the status letter (``A``, ``M``, ``D``, ``T``...) and the path."""

    new_blob: str
    status: str
    path: str


def raw_log(data: bytes) -> Iterator[tuple[str, list[RawChange]]]:
    """``(format line, changes)`` per commit, in git's order. Lines before the first commit are ignored."""
    header: str | None = None
    changes: list[RawChange] = []
    tokens = data.split(b"\0")
    i = 0
    while i < len(tokens):
        tok = tokens[i].lstrip(b"\n")
        i += 1
        if tok.startswith(b"\x01"):
            if header is not None:
                yield header, changes
            head, _, tok = tok[1:].partition(b"\n")
            header, changes = head.decode("utf-8", "replace").strip(), []
            tok = tok.lstrip(b"\n")
        if not tok.startswith(b":") or i >= len(tokens) or header is None:
            continue
        meta = tok[1:].split()
        path = tokens[i].decode("utf-8", "surrogateescape")
        i += 1
        if len(meta) >= 5:
            changes.append(
                RawChange(meta[3].decode("ascii", "replace"), meta[4][:1].decode("ascii", "replace"), path)
            )
        else:
            changes.append(RawChange("", "", path))
    if header is not None:
        yield header, changes
