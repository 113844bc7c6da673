"""The diff under review: files, hunks and lines, parsed from one streamed ``git diff --raw -p -z``.

Hunks keep their body as one string (each line with its ``' '``/``'+'``/``'-'``/``'\\'`` prefix) and
materialise :class:`Line` objects only when asked, so a 500,000-line diff costs little more memory than
its text. Counts come from C-speed ``str.count`` rather than a Python loop per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
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
