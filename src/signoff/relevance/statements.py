"""One side (added or removed lines) of a diff as text to match: statements, comments blanked.

Triggers match *statements*, not physical lines: a call whose dangerous argument is on the next line,
SQL concatenated over several lines, or a Dockerfile ``RUN`` continued with ``\\`` is one statement.
The text keeps every character in place: a newline that continues a statement becomes a space and a
comment becomes spaces, so an offset in the matched text is an offset in the diff's lines and a hit maps
back to the exact line. A second text keeps the lines as they are, for triggers that look at comments
(lint suppressions, invisible characters).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, chain
from typing import TYPE_CHECKING

from signoff.diff.model import number_lines

if TYPE_CHECKING:
    from signoff.diff.model import FileDiff, Hunk

#: Physical lines one statement may span (bounds the cost of an unbalanced bracket).
MAX_STATEMENT_LINES = 12
#: A Dockerfile instruction continued with ``\`` (explicit, so a long ``RUN`` stays one statement).
MAX_DOCKERFILE_LINES = 400

_HASH = frozenset(
    {
        "python",
        "ruby",
        "shell",
        "perl",
        "yaml",
        "toml",
        "dockerfile",
        "make",
        "terraform",
        "dotenv",
        "requirements",
        "powershell",
        "gitignore",
        "ini",
        "properties",
        "docker-compose",
    }
)
_SLASH = frozenset(
    {
        "javascript",
        "typescript",
        "go",
        "java",
        "kotlin",
        "scala",
        "groovy",
        "csharp",
        "c",
        "cpp",
        "rust",
        "swift",
        "php",
    }
)
#: Kinds whose statements continue over brackets and operators.
_CODE = _SLASH | {"python", "ruby"}
#: Kinds whose statements continue only after a trailing backslash.
_BACKSLASH = frozenset({"shell", "dockerfile", "make", "powershell"})

_STR = r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`"
_BLOCK = r"/\*[\s\S]*?(?:\*/|\Z)"
_TOKENS = {
    "hash": re.compile(_STR + r"|(#[^\n]*)"),
    "slash": re.compile(_STR + r"|(//[^\n]*|" + _BLOCK + ")"),
    "both": re.compile(_STR + r"|(#[^\n]*|//[^\n]*|" + _BLOCK + ")"),
}
_NOT_NEWLINE = re.compile(r"[^\n]")
#: What starts a comment, per comment style.
_STARTERS = {"hash": ("#",), "slash": ("//", "/*"), "both": ("#", "//", "/*")}
_PLUS_ONE = (1).__add__
_TRAILING_CHARS = frozenset("+\\.,=([%|&?")
_LEADING_CHARS = frozenset(".+%?")
_TRIVIAL_BODY = re.compile(r"^\s*(?:pass|\.\.\.|continue|return|nil|end)\s*(?:#.*)?$")


def comment_style(kinds: frozenset[str]) -> str | None:
    """Which comment syntax a file of ``kinds`` uses (None: no blanking)."""
    slash, hashes = bool(kinds & _SLASH), bool(kinds & _HASH)
    if (slash and hashes) or "php" in kinds:
        return "both"
    return "slash" if slash else "hash" if hashes else None


def _blank(m: re.Match[str]) -> str:
    comment = m.group(1)
    if comment is None:
        return m.group(0)
    return " " * len(comment) if "\n" not in comment else _NOT_NEWLINE.sub(" ", comment)


def blank_comments(lines: list[str], style: str | None) -> list[str]:
    """The lines with comments replaced by spaces (strings kept; block comments across lines).

    Strings and line comments never span lines, so only the lines holding a comment starter change, with
    the lines a block comment runs over: those runs are tokenized, the other lines are kept as they are.
    """
    if style is None:
        return lines
    starters = _STARTERS[style]
    out: list[str] | None = None
    i, n = 0, len(lines)
    while i < n:
        if not any(st in lines[i] for st in starters):
            i += 1
            continue
        j = i + 1
        while True:
            blanked, open_block = _blank_chunk("\n".join(lines[i:j]), style)
            if not open_block or j >= n:
                break
            j = next((k + 1 for k in range(j, n) if "*/" in lines[k]), n)
        if out is None:
            out = list(lines)
        out[i:j] = blanked.split("\n")
        i = j
    return lines if out is None else out


def _blank_chunk(chunk: str, style: str) -> tuple[str, bool]:
    """``chunk`` with its comments blanked, and whether it ends inside an unterminated block comment."""
    pieces: list[str] = []
    pos = 0
    open_block = False
    for m in _TOKENS[style].finditer(chunk):
        comment = m.group(1)
        if comment is None:
            continue
        pieces += (chunk[pos : m.start()], _NOT_NEWLINE.sub(" ", comment))
        pos = m.end()
        open_block = comment.startswith("/*") and (len(comment) < 4 or not comment.endswith("*/"))
    pieces.append(chunk[pos:])
    return "".join(pieces), open_block and pos == len(chunk)


def _continues(line: str, nxt: str) -> bool:
    """Whether ``line`` (right-stripped) ends, or ``nxt`` starts, with an operator that continues it."""
    end = line
    if end.endswith((" or", " and")):
        return True
    if not nxt or (nxt[0] not in " \t.+%?|&:" and not nxt[0].isspace()):
        return False
    start = nxt.lstrip()
    return bool(start) and (
        start[0] in _LEADING_CHARS
        or start.startswith(("||", "&&"))
        or (start[0] == ":" and start[:2] != "::")
    )


def continuations(code: list[str], kinds: frozenset[str]) -> list[bool]:
    """For each line, whether its statement continues on the next line."""
    n = len(code)
    cont = [False] * n
    if kinds & _CODE:
        python = "python" in kinds
        depth = span = 0
        for i in range(n - 1):
            line = code[i]
            if "(" in line or ")" in line or "[" in line or "]" in line:
                depth += line.count("(") + line.count("[") - line.count(")") - line.count("]")
                if depth < 0:
                    depth = 0
            span += 1
            nxt = code[i + 1]
            end = line.rstrip()
            if span < MAX_STATEMENT_LINES and (
                depth > 0
                or (end and end[-1] in _TRAILING_CHARS)
                or _continues(end, nxt)
                or (python and end.endswith(":") and _TRIVIAL_BODY.match(nxt) is not None)
            ):
                cont[i] = True
            else:
                depth = span = 0
    elif kinds & _BACKSLASH:
        docker = "dockerfile" in kinds
        span = 0
        for i, line in enumerate(code[:-1]):
            span += 1
            end = line.rstrip()
            # Dockerfile: a comment line (blanked) inside a continued instruction does not end it.
            if span < (MAX_DOCKERFILE_LINES if docker else MAX_STATEMENT_LINES) and (
                end.endswith("\\") or (docker and not end and i and cont[i - 1] and code[i + 1].strip())
            ):
                cont[i] = True
            else:
                span = 0
    return cont


@dataclass
class SideText:
    """The added (or removed) lines of every file: ``code`` to match statements, ``raw`` as in the diff."""

    code: str = ""
    raw: str = ""
    #: Char offset of each physical line (global line index) in ``code`` / ``raw``.
    line_starts: list[int] = field(default_factory=list)
    #: Global index of the first line of each statement.
    stmt_first: list[int] = field(default_factory=list)
    #: '+' (added lines) or '-' (removed lines).
    prefix: str = "+"
    #: Per hunk: its first global line, and the hunk (line numbers are worked out only for hit lines).
    seg_first: list[int] = field(default_factory=list)
    seg_hunk: list[Hunk] = field(default_factory=list)
    _numbers: dict[int, tuple[list[int], list[int]]] = field(default_factory=dict, repr=False)
    #: Per file included: index into diff.files, and its first global line.
    file_idx: list[int] = field(default_factory=list)
    file_first: list[int] = field(default_factory=list)
    #: Runs of files with the same kinds: (kinds, first global line, end global line).
    groups: list[tuple[frozenset[str], int, int]] = field(default_factory=list)

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_at(self, offset: int) -> int:
        """Global index of the line holding char ``offset``."""
        return bisect_right(self.line_starts, offset) - 1

    def stmt_of_line(self, line: int) -> int:
        return bisect_right(self.stmt_first, line) - 1

    def stmt_lines(self, stmt: int) -> tuple[int, int]:
        """First global line of statement ``stmt`` and the line after its last."""
        end = self.stmt_first[stmt + 1] if stmt + 1 < len(self.stmt_first) else self.line_count
        return self.stmt_first[stmt], end

    def span(self, first: int, end: int) -> tuple[int, int]:
        """Char span of global lines ``first`` .. ``end - 1`` (without the final newline)."""
        stop = self.line_starts[end] - 1 if end < self.line_count else len(self.code)
        return self.line_starts[first], stop

    def _hunk_numbers(self, line: int) -> tuple[list[int], list[int], int]:
        s = bisect_right(self.seg_first, line) - 1
        got = self._numbers.get(s)
        if got is None:
            got = self._numbers[s] = _numbers(self.seg_hunk[s], self.prefix)
        return got[0], got[1], line - self.seg_first[s]

    def number(self, line: int) -> int:
        """Line number in its file of global line ``line`` (new side for added, old side for removed)."""
        nums, _, j = self._hunk_numbers(line)
        return nums[j] if j < len(nums) else 0

    def anchor(self, line: int) -> int | None:
        """For a removed line: the new-side line where the removal is."""
        if self.prefix != "-":
            return None
        _, anchors, j = self._hunk_numbers(line)
        return anchors[j] if j < len(anchors) else None

    def file_of_line(self, line: int) -> int:
        """Index into diff.files of the file holding global line ``line``."""
        return self.file_idx[bisect_right(self.file_first, line) - 1]


_SIDE_RE = {"+": re.compile(r"^\+(.*)$", re.MULTILINE), "-": re.compile(r"^-(.*)$", re.MULTILINE)}


def _side_lines(f: FileDiff, prefix: str) -> tuple[list[str], list[tuple[int, Hunk]]]:
    """The file's lines with ``prefix`` ('+' or '-'), and (index of its first line, hunk) per hunk."""
    rx = _SIDE_RE[prefix]
    lines: list[str] = []
    segs: list[tuple[int, Hunk]] = []
    for h in f.hunks:
        found = rx.findall(h.body)
        if found:
            segs.append((len(lines), h))
            lines += found
    return lines, segs


def _numbers(h: Hunk, prefix: str) -> tuple[list[int], list[int]]:
    """Numbers of the hunk's ``prefix`` lines (new side for '+', old for '-'), and their new-side anchors."""
    raws, old, new = number_lines(h)
    at = [i for i, raw in enumerate(raws) if raw[:1] == prefix]
    if prefix == "+":
        return [new[i] for i in at], []
    return [old[i] for i in at], [new[i] + 1 for i in at]


def build_side(files: list[FileDiff], kinds: list[frozenset[str]], prefix: str) -> SideText:
    """The side ``prefix`` ('+' added, '-' removed) of ``files``, grouped by file kinds."""
    side = SideText(prefix=prefix)
    code_parts: list[str] = []
    raw_parts: list[str] = []
    pos = 0
    order = sorted(range(len(files)), key=lambda i: sorted(kinds[i]))
    for fi in order:
        f = files[fi]
        if f.binary or f.too_large or not f.hunks:
            continue
        lines, segs = _side_lines(f, prefix)
        if not lines:
            continue
        first = side.line_count
        fk = kinds[fi]
        code = blank_comments(lines, comment_style(fk))
        cont = continuations(code, fk)
        side.file_idx.append(fi)
        side.file_first.append(first)
        side.line_starts += accumulate(map(_PLUS_ONE, map(len, code[:-1])), initial=pos)
        pos += sum(map(len, code)) + len(code)
        if True in cont:
            side.stmt_first += [first + i for i in range(len(code)) if i == 0 or not cont[i - 1]]
            code_parts += chain.from_iterable(zip(code, (" " if c else "\n" for c in cont), strict=True))
        else:  # one statement per line (the common case for data and markup files)
            side.stmt_first += range(first, first + len(code))
            code_parts += ("\n".join(code), "\n")
        raw_parts.append("\n".join(lines))
        side.seg_first += [first + i for i, _ in segs]
        side.seg_hunk += [h for _, h in segs]
        end = side.line_count
        if side.groups and side.groups[-1][0] == fk and side.groups[-1][2] == first:
            side.groups[-1] = (fk, side.groups[-1][1], end)
        else:
            side.groups.append((fk, first, end))
    if code_parts:
        code_parts[-1] = ""  # no separator after the last line
    side.code = "".join(code_parts)
    side.raw = "\n".join(raw_parts)
    return side
