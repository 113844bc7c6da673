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
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import methodcaller
from typing import TYPE_CHECKING, AnyStr

from signoff.diff.model import _count_prefix, number_lines

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
#: The tokens as ``split`` wants them: (string) or (comment), each captured.
_SPLIT = {style: re.compile("(" + _STR + ")|" + rx.pattern[len(_STR) + 1 :]) for style, rx in _TOKENS.items()}
_NOT_NEWLINE = re.compile(r"[^\n]")
#: What starts a comment, per comment style.
#: Characters between two comment starters below which they are tokenized as one chunk.
_CHUNK_GAP = 400
#: The comment starters, for ``str.rfind`` (a chunk runs on while one is near).
_STARTER_CHARS = {"hash": ("#",), "slash": ("//", "/*"), "both": ("#", "//", "/*")}
_STARTER_RE = {"hash": re.compile("#"), "slash": re.compile(r"//|/\*"), "both": re.compile(r"#|//|/\*")}
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


def blank_comments(text: str, style: str | None) -> str:
    """``text`` with comments replaced by spaces (strings kept; block comments across lines).

    Strings and line comments never span lines, so only the lines holding a comment starter change, with
    the lines a block comment runs over: those runs are tokenized, the rest of the text is copied as it
    is. Starters close together are tokenized as one chunk (found by jumping ahead, not starter by
    starter), so dense comments cost one tokenizer call per run of lines. A chunk with a line of more
    than :data:`MAX_QUOTES_PER_LINE` quotes of one kind is kept as it is (its comments count as code:
    more questions, never fewer), so no input makes this quadratic.
    """
    if style is None:
        return text
    starter = _STARTER_RE[style]
    chars = _STARTER_CHARS[style]
    pieces: list[str] = []
    done = 0
    m = starter.search(text)
    while m is not None:
        upto = m.end()
        while (more := max(text.rfind(c, upto, upto + _CHUNK_GAP) for c in chars)) >= 0:
            upto = more + 1
        done = _blank_lines(text, m.start(), upto, style, pieces, done)
        m = starter.search(text, done)
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _blank_lines(text: str, first: int, upto: int, style: str, pieces: list[str], done: int) -> int:
    """Tokenize the lines holding ``first`` .. ``upto`` (and on, while a block comment is open) into
    ``pieces`` (after ``text[done:]`` up to them); return the offset where they end.

    A block comment still open at the end of the lines runs to the next ``*/``: that span is blanked
    as it is and tokenizing resumes after it, so every character is tokenized once (re-tokenizing from
    the first line on each extension was quadratic: a comment re-opened on every line).
    """
    start = text.rfind("\n", 0, first) + 1
    last = _line_end(text, upto)
    n = len(text)
    pieces.append(text[done:start])
    while True:
        blanked, open_block = _blank_chunk(text[start:last], style)
        pieces.append(blanked)
        if not open_block or last >= n:
            return last
        close = text.find("*/", last)
        stop = n if close < 0 else close + 2
        pieces.append(_NOT_NEWLINE.sub(" ", text[last:stop]))
        start, last = stop, _line_end(text, stop)


def _line_end(text: str, pos: int) -> int:
    """Offset of the newline ending the line that holds ``pos`` (the text's length on the last line)."""
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _blank_chunk(chunk: str, style: str) -> tuple[str, bool]:
    """``chunk`` with its comments blanked, and whether it ends inside an unterminated block comment.

    One ``split`` on the tokens gives the text between them, each string (kept) and each comment
    (blanked, newlines kept), in order: no Python step per character or per line.
    """
    if _quote_heavy(chunk):
        return chunk, False
    parts = _SPLIT[style].split(chunk)
    comments = parts[2::3]
    parts[1::3] = ["" if t is None else t for t in parts[1::3]]
    parts[2::3] = [
        "" if c is None else " " * len(c) if "\n" not in c else _NOT_NEWLINE.sub(" ", c) for c in comments
    ]
    last = comments[-1] if comments and parts[-1] == "" else None
    open_block = last is not None and last.startswith("/*") and (len(last) < 4 or not last.endswith("*/"))
    return "".join(parts), open_block  # every None was replaced


#: A line with more quotes of one kind than this is not tokenized (kept as code): after an unterminated
#: string ``re`` restarts the string scan at every later quote, each to the end of the line.
MAX_QUOTES_PER_LINE = 64


def _quote_heavy(chunk: str) -> bool:
    """Whether a line of ``chunk`` holds more than :data:`MAX_QUOTES_PER_LINE` quotes of one kind."""
    limit = MAX_QUOTES_PER_LINE
    heavy = [q for q in "\"'" if chunk.count(q) > limit]
    if not heavy:
        return False
    lines = chunk.split("\n")
    return any(max(map(methodcaller("count", q), lines)) > limit for q in heavy)


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


def continuations(code: list[str], text: str, kinds: frozenset[str]) -> list[int]:
    """The lines (indexes into ``code``, the lines of ``text``) whose statement continues on the next.

    Only the lines that can start a continued statement are looked at one by one (found by regexes over
    the whole text: unbalanced brackets, a trailing operator or backslash, an operator leading the next
    line, a trailing colon); a statement once started is followed line by line to its end.
    """
    if kinds & _CODE:
        python = "python" in kinds
        flagged = _code_starts(text, python)
        return _follow(code, flagged, lambda i, state: _code_step(code, i, state, python))
    if kinds & _BACKSLASH:
        docker = "dockerfile" in kinds
        flagged = _lines_matching(_BACKSLASH_END, text, "\n")
        return _follow(code, flagged, lambda i, state: _backslash_step(code, i, state, docker))
    return []


#: Brackets balanced by count in forms common enough to skip (over :func:`_code_starts`' projection).
_BALANCED = rb"(?:\((?:\((?:\(\))*\))*\)|\)\()*"
_UNBALANCED = re.compile(rb"^(?!" + _BALANCED + rb"$)[^\n]+", re.MULTILINE)
#: Keep brackets (``[`` as ``(``, ``]`` as ``)``) and newlines, drop every other byte.
_BRACKETS = bytes.maketrans(b"[]", b"()")
_NOT_BRACKET = bytes(c for c in range(256) if c not in b"()[]\n")
_CODE_END = re.compile(r"[+\\.,=(\[%|&?][^\S\n]*$", re.MULTILINE)
_PYTHON_END = re.compile(r"[+\\.,=(\[%|&?:][^\S\n]*$", re.MULTILINE)
_OR_AND_END = re.compile(r" (?:or|and)[^\S\n]*$", re.MULTILINE)
#: An operator leading a line (the line before continues); a newline first, so ``re`` scans fast.
_LEADING = re.compile(r"\n[^\S\n]*(?:[.+%?]|\|\||&&|:(?!:))")
_BACKSLASH_END = re.compile(r"\\[^\S\n]*$", re.MULTILINE)


def _lines_matching(rx: re.Pattern[AnyStr], text: AnyStr, newline: AnyStr) -> list[int]:
    """Indexes of the lines of ``text`` where ``rx`` matches (each match's first line, in order)."""
    out: list[int] = []
    line = prev = 0
    for m in rx.finditer(text):
        at = m.start()
        line += text.count(newline, prev, at)
        prev = at
        out.append(line)
    return out


def _code_starts(text: str, python: bool) -> list[int]:
    """Lines that may continue when no statement is open: a superset of those that do, in order."""
    brackets = text.encode("utf-8", "replace").translate(_BRACKETS, _NOT_BRACKET)
    found = set(_lines_matching(_UNBALANCED, brackets, b"\n"))
    found.update(_lines_matching(_PYTHON_END if python else _CODE_END, text, "\n"))
    found.update(_lines_matching(_OR_AND_END, text, "\n"))
    # A match of _LEADING starts at the newline ending the line before the one it leads.
    found.update(_lines_matching(_LEADING, text, "\n"))
    return sorted(found)


#: A statement being followed: (bracket depth, lines in it so far).
_State = tuple[int, int]


def _follow(code: list[str], flagged: list[int], step: Callable[[int, _State], _State]) -> list[int]:
    """Run ``step`` over the flagged lines, and over every line while a statement is open (span > 0).

    ``step(i, state)`` returns the state after line ``i``; line ``i`` continues when its span is > 0.
    Lines not flagged with no statement open end their (one-line) statement, as ``step`` would say.
    """
    out: list[int] = []
    last = len(code) - 1
    state: _State = (0, 0)
    k, nflag = 0, len(flagged)
    i = 0
    while i < last:
        if state[1] == 0:
            while k < nflag and flagged[k] < i:
                k += 1
            if k == nflag or flagged[k] >= last:
                break
            i = flagged[k]
        state = step(i, state)
        if state[1]:
            out.append(i)
        i += 1
    return out


def _code_step(code: list[str], i: int, state: _State, python: bool) -> _State:
    """One line of a code file: bracket depth, trailing and leading operators, ``if x: pass``."""
    depth, span = state
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
        return depth, span
    return 0, 0


def _backslash_step(code: list[str], i: int, state: _State, docker: bool) -> _State:
    """One line of a shell-like file: continued by a trailing backslash."""
    span = state[1] + 1
    end = code[i].rstrip()
    # Dockerfile: a comment line (blanked) inside a continued instruction does not end it (state[1] > 0:
    # the line before continued).
    if span < (MAX_DOCKERFILE_LINES if docker else MAX_STATEMENT_LINES) and (
        end.endswith("\\") or (docker and not end and state[1] and code[i + 1].strip())
    ):
        return 0, span
    return 0, 0


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


#: A line of the side (a newline, the prefix, the line's text captured).
_SIDE_LINE = {"+": re.compile(r"\n\+([^\n]*)"), "-": re.compile(r"\n-([^\n]*)")}


def _side_text(f: FileDiff, prefix: str) -> tuple[str, list[tuple[int, Hunk]]]:
    """The file's lines with ``prefix`` ('+' or '-'), prefix dropped, as one text; and (index of its
    first line, hunk) per hunk that has any. One C-level ``findall`` over the file's hunks."""
    bodies: list[str] = []
    segs: list[tuple[int, Hunk]] = []
    count = 0
    for h in f.hunks:
        got = _count_prefix(h.body, prefix)
        if got:
            segs.append((count, h))
            count += got
            bodies.append(h.body)
    if not bodies:
        return "", segs
    return "\n".join(_SIDE_LINE[prefix].findall("\n" + "\n".join(bodies))), segs


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
        text, segs = _side_text(f, prefix)
        if not segs:
            continue
        first = side.line_count
        fk = kinds[fi]
        code_text = blank_comments(text, comment_style(fk))
        code = code_text.split("\n")
        side.file_idx.append(fi)
        side.file_first.append(first)
        side.line_starts += accumulate(map(_PLUS_ONE, map(len, code[:-1])), initial=pos)
        conts = continuations(code, code_text, fk)
        if conts:  # continued lines end with a space instead of a newline
            keep = bytearray(b"\x01") * len(code)
            pieces: list[str] = []
            prev = 0
            for i in conts:
                keep[i + 1] = 0
                newline = side.line_starts[first + i + 1] - 1 - pos
                pieces += (code_text[prev:newline], " ")
                prev = newline + 1
            pieces.append(code_text[prev:])
            code_text = "".join(pieces)
            side.stmt_first += compress(range(first, first + len(code)), keep)
        else:  # one statement per line (the common case for data and markup files)
            side.stmt_first += range(first, first + len(code))
        code_parts.append(code_text)
        pos += len(code_text) + 1
        raw_parts.append(text)
        side.seg_first += [first + i for i, _ in segs]
        side.seg_hunk += [h for _, h in segs]
        end = side.line_count
        if side.groups and side.groups[-1][0] == fk and side.groups[-1][2] == first:
            side.groups[-1] = (fk, side.groups[-1][1], end)
        else:
            side.groups.append((fk, first, end))
    side.code = "\n".join(code_parts)
    side.raw = "\n".join(raw_parts)
    return side
