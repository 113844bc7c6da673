"""Commit-message trailers, parsed as ``git interpret-trailers --parse --no-divider`` does, in Python.

Git's rule (trailer.c): the trailer block is the last paragraph of the message (never the title
paragraph), and it counts only if all its lines are trailers, or at least 25% are and one of them is a
git-generated ``Signed-off-by: `` / ``(cherry picked from commit `` line. A trailer is ``Key: value``
where the key is letters, digits and ``-`` (whitespace may precede the colon); lines starting with
whitespace continue the previous trailer; lines starting with ``#`` are comments.
"""

from __future__ import annotations

from dataclasses import dataclass

_GIT_GENERATED = ("Signed-off-by: ", "(cherry picked from commit ")
#: git's isspace(): ASCII space, tab, newline, carriage return (not \v, \f or Unicode spaces).
_SPACE = " \t\n\r"
_SCISSORS = " ------------------------ >8 ------------------------\n"


@dataclass(frozen=True, slots=True)
class Trailer:
    """One trailer: ``key`` as written, ``value`` unfolded (continuation lines joined by one space)."""

    key: str
    value: str

    @property
    def line(self) -> str:
        return f"{self.key}: {self.value}"


def _separator_pos(line: str) -> int:
    """Index of the ``:`` ending a trailer key, or -1 (git's ``find_separator`` with ``:``)."""
    whitespace = False
    for i, c in enumerate(line):
        if c == ":":
            return i
        if not whitespace and ((c.isascii() and c.isalnum()) or c == "-"):
            continue
        if i and c in " \t":
            whitespace = True
            continue
        break
    return -1


def _is_blank(line: str) -> bool:
    return not line.strip(_SPACE)


def _ignored_tail(buf: str, comment_char: str) -> int:
    """Length of the trailing comments / blank lines / scissors part git ignores (``ignore_non_trailer``)."""
    scissors = comment_char + _SCISSORS
    if buf.startswith(scissors):
        cutoff = 0
    else:
        at = buf.find("\n" + scissors)
        cutoff = at + 1 if at >= 0 else len(buf)
    boc = bol = 0
    in_conflicts = False
    while bol < cutoff:
        nl = buf.find("\n", bol, cutoff)
        next_line = cutoff if nl < 0 else nl + 1
        if buf.startswith(comment_char, bol) or buf[bol] == "\n":
            if not boc:
                boc = bol
        elif buf.startswith("Conflicts:\n", bol):
            in_conflicts = True
            if not boc:
                boc = bol
        elif in_conflicts and buf[bol] == "\t":
            pass
        elif boc:
            boc = 0
            in_conflicts = False
        bol = next_line
    return len(buf) - boc if boc else len(buf) - cutoff


def trailer_block(message: str, comment_char: str = "#") -> list[str]:
    """The lines of the message's trailer block (empty when it has none)."""
    message = message[: len(message) - _ignored_tail(message, comment_char)]
    lines = message.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # The first paragraph is the title and cannot hold trailers.
    end_of_title = len(lines)
    for i, line in enumerate(lines):
        if line.startswith(comment_char):
            continue
        if _is_blank(line):
            end_of_title = i
            break
    only_spaces = True
    recognized = False
    trailer_lines = non_trailer_lines = possible_continuation = 0
    for i in range(len(lines) - 1, end_of_title - 1, -1):
        line = lines[i]
        if line.startswith(comment_char):
            non_trailer_lines += possible_continuation
            possible_continuation = 0
            continue
        if _is_blank(line):
            if only_spaces:
                continue
            non_trailer_lines += possible_continuation
            if (recognized and trailer_lines * 3 >= non_trailer_lines) or (
                trailer_lines and not non_trailer_lines
            ):
                return lines[i + 1 :]
            return []
        only_spaces = False
        if line.startswith(_GIT_GENERATED):
            trailer_lines += 1
            possible_continuation = 0
            recognized = True
            continue
        if _separator_pos(line) >= 1 and line[0] not in _SPACE:
            trailer_lines += 1
            possible_continuation = 0
        elif line[0] in _SPACE:
            possible_continuation += 1
        else:
            non_trailer_lines += 1 + possible_continuation
            possible_continuation = 0
    return []


def parse_trailers(message: str, comment_char: str = "#") -> list[Trailer]:
    """The trailers of a commit message, in order, like ``git interpret-trailers --parse``."""
    out: list[Trailer] = []
    current: list[str] | None = None  # [key, value-so-far]
    for line in trailer_block(message, comment_char):
        if line.startswith(comment_char):
            # a comment ends the trailer before it: a following indented line does not continue it
            if current is not None:
                out.append(Trailer(current[0], current[1]))
                current = None
            continue
        if line and line[0] in _SPACE:
            if current is not None and line.strip(_SPACE):
                part = line.strip(_SPACE)
                current[1] = f"{current[1]} {part}" if current[1] else part
            continue
        if current is not None:
            out.append(Trailer(current[0], current[1]))
            current = None
        pos = _separator_pos(line)
        if pos >= 1:
            current = [line[:pos].strip(_SPACE), line[pos + 1 :].strip(_SPACE)]
    if current is not None:
        out.append(Trailer(current[0], current[1]))
    return out
