"""Syntax highlighting spans for diff lines: Pygments lexer chosen by file name or shebang, cached, lazy.

The core knows token *types* only; the TUI maps them to colours. Whole-side tokenising (context and
added lines of a file joined, so multi-line strings come out right) is slow for big files and belongs in
a worker; :func:`line_tokens` lexes one line alone, cheaply, as the fallback for the visible lines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound

#: A token span within one line: ``(start, end, token type)``.
TokenSpan = tuple[int, int, _TokenType]

#: Interpreter (from a ``#!`` line) -> Pygments lexer alias.
_SHEBANG = {
    "python": "python",
    "python3": "python",
    "python2": "python",
    "sh": "bash",
    "bash": "bash",
    "zsh": "zsh",
    "dash": "bash",
    "ksh": "bash",
    "node": "javascript",
    "nodejs": "javascript",
    "deno": "typescript",
    "ruby": "ruby",
    "perl": "perl",
    "php": "php",
    "lua": "lua",
    "tclsh": "tcl",
    "awk": "awk",
    "make": "make",
}
_SHEBANG_RE = re.compile(r"^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?")
#: Files lexed with no lexer at all (plain text): no point paying for a guess.
_PLAIN_EXT = {".txt", ".log", ".csv", ".tsv", ""}
#: Beyond this many characters a single line is not highlighted (minified code, data).
MAX_LINE = 2000
_UNSTYLED = {Token.Text, Token.Text.Whitespace, Token.Whitespace, Token}


def _options() -> dict[str, object]:
    return {"stripnl": False, "ensurenl": False, "stripall": False, "tabsize": 0}


@lru_cache(maxsize=256)
def _lexer_by_alias(alias: str) -> Lexer | None:
    try:
        return get_lexer_by_name(alias, **_options())
    except ClassNotFound:
        return None


@lru_cache(maxsize=1024)
def _lexer_by_name(name: str) -> Lexer | None:
    if os.path.splitext(name)[1].lower() in _PLAIN_EXT - {""}:
        return None
    try:
        return get_lexer_for_filename(name, **_options())
    except ClassNotFound:
        return None
    except Exception:  # a broken third-party lexer plugin must not break the review
        return None


def shebang_alias(first_line: str) -> str | None:
    """The lexer alias for a ``#!`` line, e.g. ``#!/usr/bin/env python3`` -> ``python``."""
    m = _SHEBANG_RE.match(first_line)
    if not m:
        return None
    prog = os.path.basename(m.group(1))
    if prog == "env" and m.group(2):
        prog = os.path.basename(m.group(2))
    prog = re.sub(r"[\d.]+$", "", prog) or prog
    return _SHEBANG.get(prog) or _SHEBANG.get(prog.rstrip("0123456789."))


def lexer_for(path: str, first_line: str = "") -> Lexer | None:
    """The lexer for ``path`` (by its base name), else by a shebang in ``first_line``; None = plain text."""
    name = os.path.basename(path)
    lexer = _lexer_by_name(name) if name else None
    if lexer is None and first_line.startswith("#!"):
        alias = shebang_alias(first_line)
        if alias:
            lexer = _lexer_by_alias(alias)
    if lexer is not None and lexer.name == "Text only":
        return None
    return lexer


def lexer_name(lexer: Lexer | None) -> str:
    return "plain text" if lexer is None else str(lexer.name)


def tokenize(lexer: Lexer | None, lines: Sequence[str]) -> list[tuple[TokenSpan, ...]]:
    """Token spans for each of ``lines``, lexed together (state carries across lines)."""
    out: list[list[TokenSpan]] = [[] for _ in lines]
    if lexer is None or not lines:
        return [tuple(x) for x in out]
    text = "\n".join(ln if len(ln) <= MAX_LINE else "" for ln in lines)
    row, col = 0, 0
    try:
        stream = lexer.get_tokens_unprocessed(text)
        for _index, ttype, value in stream:
            parts = value.split("\n")
            for i, part in enumerate(parts):
                if i:
                    row += 1
                    col = 0
                if part:
                    if ttype not in _UNSTYLED and row < len(out):
                        _append(out[row], col, col + len(part), ttype)
                    col += len(part)
    except Exception:  # Pygments lexers can raise on odd input; fall back to plain text.
        return [() for _ in lines]
    return [tuple(x) for x in out]


def _append(spans: list[TokenSpan], start: int, end: int, ttype: _TokenType) -> None:
    if spans and spans[-1][2] is ttype and spans[-1][1] == start:
        spans[-1] = (spans[-1][0], end, ttype)
    else:
        spans.append((start, end, ttype))


@lru_cache(maxsize=20_000)
def line_tokens(lexer: Lexer | None, line: str) -> tuple[TokenSpan, ...]:
    """Token spans of one line lexed alone (the visible-lines fallback); cached."""
    if lexer is None or len(line) > MAX_LINE:
        return ()
    return tokenize(lexer, [line])[0]


def token_chain(ttype: _TokenType) -> Iterable[_TokenType]:
    """``ttype`` and its parents, most specific first (for style lookup)."""
    t: _TokenType | None = ttype
    while t is not None:
        yield t
        t = t.parent
