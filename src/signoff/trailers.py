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
    return not line.strip(" \t\r\n\v\f")


def trailer_block(message: str, comment_char: str = "#") -> list[str]:
    """The lines of the message's trailer block (empty when it has none)."""
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
        if _separator_pos(line) >= 1 and not line[0].isspace():
            trailer_lines += 1
            possible_continuation = 0
        elif line[0].isspace():
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
            continue
        if line and line[0].isspace():
            if current is not None and line.strip():
                current[1] = f"{current[1]} {line.strip()}" if current[1] else line.strip()
            continue
        if current is not None:
            out.append(Trailer(current[0], current[1]))
            current = None
        pos = _separator_pos(line)
        if pos >= 1:
            current = [line[:pos].strip(), line[pos + 1 :].strip()]
    if current is not None:
        out.append(Trailer(current[0], current[1]))
    return out
