"""The diff under review: files, hunks and lines, parsed from one streamed ``git diff --raw -p -z``.

Hunks keep their body as one string (each line with its ``' '``/``'+'``/``'-'``/``'\\'`` prefix) and
materialise :class:`Line` objects only when asked, so a 500,000-line diff costs little more memory than
its text. Counts come from C-speed ``str.count`` rather than a Python loop per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import accumulate
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from signoff.git.target import ReviewTarget

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
    """A body line's kind; the value is its prefix in the diff (``"\\"``: "No newline at end of file")."""

    CONTEXT = " "
    ADDED = "+"
    REMOVED = "-"
    NO_NEWLINE = "\\"


@dataclass(slots=True)
class Line:
    """One line of a hunk (``text`` without the prefix; a ``NO_NEWLINE`` line keeps its whole text)."""

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

    def added_lines(self) -> Iterator[tuple[int, str]]:
        """``(new line number, text)`` of each added line."""
        for line in self.lines:
            if line.kind is LineKind.ADDED:
                yield line.new_no or 0, line.text

    def added_numbers(self) -> list[int]:
        """New-side numbers of the added lines (no :class:`Line` objects made)."""
        # number_lines' rule for the new side alone: new-side lines are numbered on from new_start.
        prefixes = [raw[:1] for raw in self.body.split("\n")] if self.body else []
        new_side = [p for p in prefixes if p != "-" and p != "\\"]
        return [self.new_start + i for i, p in enumerate(new_side) if p == "+"]

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


def number_lines(hunk: Hunk) -> tuple[list[str], list[int], list[int]]:
    """The one place that numbers a hunk's lines: the raw lines (with their prefixes) and, for each, the
    running old-side and new-side line number.

    On a side a line is on, the running number is its own number; elsewhere it is the number of the last
    line before it on that side (so a removed line stands before new-side line ``new + 1``). An empty
    line (a context line whose leading space a mail client or editor stripped) counts as context.
    Computed with ``accumulate``, without a Python loop per line.
    """
    if not hunk.body:
        return [], [], []
    raws = hunk.body.split("\n")
    prefixes = [r[:1] for r in raws]
    old = list(accumulate([p != "+" and p != "\\" for p in prefixes], initial=hunk.old_start - 1))
    new = list(accumulate([p != "-" and p != "\\" for p in prefixes], initial=hunk.new_start - 1))
    return raws, old[1:], new[1:]


def walk_body(hunk: Hunk) -> Iterator[tuple[LineKind, str, int | None, int | None]]:
    """Each body line as ``(kind, raw line with its prefix, old no, new no)`` (from :func:`number_lines`).

    Added lines have no old number, removed lines no new number, a ``NO_NEWLINE`` line neither.
    """
    for raw, old, new in zip(*number_lines(hunk), strict=True):
        p = raw[:1]
        if p == "+":
            yield LineKind.ADDED, raw, None, new
        elif p == "-":
            yield LineKind.REMOVED, raw, old, None
        elif p == "\\":
            yield LineKind.NO_NEWLINE, raw, None, None
        else:
            yield LineKind.CONTEXT, raw, old, new


def body_lines(hunk: Hunk) -> list[Line]:
    """Every body line of the hunk as a :class:`Line` (``NO_NEWLINE`` lines included, as shown)."""
    return [
        Line(kind, raw if kind is LineKind.NO_NEWLINE else raw[1:], old, new)
        for kind, raw, old, new in walk_body(hunk)
    ]


def _materialise(hunk: Hunk) -> list[Line]:
    out: list[Line] = []
    for line in body_lines(hunk):
        if line.kind is LineKind.NO_NEWLINE:
            if out:
                out[-1].no_newline = True
        else:
            out.append(line)
    return out


def side_by_side(lines: Sequence[Line]) -> list[tuple[int | None, int | None]]:
    """Side-by-side pairs of indexes into ``lines``: context beside itself, each run of removed lines
    beside the run of added lines after it (position by position), ``NO_NEWLINE`` lines left out."""
    pairs: list[tuple[int | None, int | None]] = []
    i, n = 0, len(lines)
    while i < n:
        k = lines[i].kind
        if k is LineKind.NO_NEWLINE:
            i += 1
        elif k is LineKind.CONTEXT:
            pairs.append((i, i))
            i += 1
        else:
            r0 = i
            while i < n and lines[i].kind in _REMOVED_RUN:
                i += 1
            a0 = i
            while i < n and lines[i].kind in _ADDED_RUN:
                i += 1
            rem = [j for j in range(r0, a0) if lines[j].kind is LineKind.REMOVED]
            add = [j for j in range(a0, i) if lines[j].kind is LineKind.ADDED]
            for m in range(max(len(rem), len(add))):
                pairs.append((rem[m] if m < len(rem) else None, add[m] if m < len(add) else None))
    return pairs


_REMOVED_RUN = (LineKind.REMOVED, LineKind.NO_NEWLINE)
_ADDED_RUN = (LineKind.ADDED, LineKind.NO_NEWLINE)


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
    #: A blob of this file is not in the object store (partial clone): listed, content not shown.
    missing_object: bool = False
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
    def security_config(self) -> bool:
        """The file configures review, attributes or CI (see :func:`is_security_config`)."""
        return is_security_config(self.new_path or "") or is_security_config(self.old_path or "")

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
    #: ``git diff -w``: a view only (the record always covers the plain diff).
    ignore_whitespace: bool = False
    #: Only these paths (taken literally: signoff runs git with GIT_LITERAL_PATHSPECS=1); empty: all.
    paths: tuple[str, ...] = ()


#: Paths that configure the review itself, what git shows (attributes), or what CI runs with which
#: secrets. A change to one is shown first and flagged: it can lower the bar for itself or for later ones.
_SECURITY_CONFIG = re.compile(
    r"^\.signoff/"
    r"|(?:^|/)\.gitattributes$|^\.gitmodules$|(?:^|/)CODEOWNERS$"
    r"|^\.github/(?:workflows|actions)/|(?:^|/)action\.ya?ml$|^\.github/dependabot\.ya?ml$"
    r"|(?:^|/)[^/]*\.gitlab-ci\.ya?ml$|^\.gitlab-ci\.ya?ml$|^\.gitlab/"
    r"|^\.circleci/|^\.buildkite/|^\.woodpecker(?:/|\.ya?ml$)|^\.drone\.ya?ml$|^\.travis\.ya?ml$"
    r"|(?:^|/)Jenkinsfile[^/]*$|^\.?azure-pipelines(?:/|[^/]*\.ya?ml$)|^bitbucket-pipelines\.ya?ml$"
    r"|^\.?appveyor\.ya?ml$|^cloudbuild\.ya?ml$|^\.ci/|^\.pre-commit-(?:config|hooks)\.ya?ml$"
    r"|^\.husky/|^\.githooks/"
)


def is_security_config(path: str) -> bool:
    """Whether ``path`` is review config (``.signoff/``), git attributes/modules, CODEOWNERS or CI config."""
    return _SECURITY_CONFIG.search(path) is not None


def review_order(files: list[FileDiff]) -> list[FileDiff]:
    """``files`` with security-config changes first (each group keeps git's order)."""
    first = [f for f in files if f.security_config]
    if not first:
        return files
    return first + [f for f in files if not f.security_config]


@dataclass(frozen=True)
class MissingObject:
    """An object that could not be read: which, for which path, at which commit (or index/work tree)."""

    commit: str
    path: str
    object: str

    def to_json(self) -> dict[str, str]:
        return {"commit": self.commit, "path": self.path, "object": self.object}

    def warning(self) -> str:
        where = self.commit[:12] if len(self.commit) >= 40 else self.commit or "the index"
        return (
            f"missing object {self.object[:12]} for {self.path} at {where}: not in this clone "
            "(partial clone?); skipped, its content is not shown"
        )


@dataclass
class Diff:
    """The whole change under review."""

    target: ReviewTarget | None
    files: list[FileDiff]
    patch_sha256: str
    #: Objects the diff needed that are not in the object store (partial clone): skipped, not fatal.
    missing: list[MissingObject] = field(default_factory=list)
    #: A part of the diff while git's output is still being read (:func:`signoff.diff.parse.load_diff_parts`):
    #: the first files in review order; ``patch_sha256`` is empty. Never reviewed or signed as the change.
    partial: bool = False
    #: Files in the change (from git's file list, read before any patch): the files still to come of a
    #: partial diff are ``files_expected - len(files)``.
    files_expected: int = 0

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
