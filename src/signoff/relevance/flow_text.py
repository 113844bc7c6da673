"""Text helpers of the data-flow step (:mod:`flow`): strings skipped in one pass, the bracket closing a
call, its top-level arguments (with offsets), an expression with its string contents and sanitiser calls
dropped, parameter names, and the short ``name <- source`` reason of a finding. Every scan is bounded
(:data:`MAX_ARGS`) so a hostile file stays linear."""

from __future__ import annotations

import re

from signoff.relevance.flow_rules import SANITIZER

STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`")
_INTERP = re.compile(r"\$\{([^}]*)\}|#\{([^}]*)\}|\{([^{}]*)\}|(\$[A-Za-z_]\w*(?:->\w+)*)")
#: Characters scanned for one call's arguments (bounds an unbalanced bracket).
MAX_ARGS = 2000
#: Sanitiser calls dropped from one expression.
MAX_SANITIZERS = 16
#: Lines of a tainted value's trace kept per name (where it was built, newest first).
MAX_TRACE = 3
#: An assignment that builds a value from parts (concatenation, interpolation, formatting, joins).
BUILD = re.compile(
    r"\+|%|\$\{|#\{|\bf[\"']|\.format\s*\(|Sprintf\s*\(|\b(?:join|Join|resolve|Combine|concat)\s*\("
    r"|\.replace(?:All)?\s*\(|\.\s*\$"
)
#: How the reason of a name holding query text built from a value starts (only SQL sinks take it).
SQL_MARK = "query text built from "
#: A string literal that starts a SQL statement or one of its clauses.
_SQL_TEXT = re.compile(
    r"(?i)(?:^|[\s(=+,])[fbru]{0,2}[\"'`]\s*(?:select\s[^\"'`\n]*\bfrom\b|insert\s+into\b|update\s+\S+\s+set\b"
    r"|delete\s+from\b|(?:where|and|or|order\s+by|group\s+by|having|limit|values)\s)"
)
#: Words before a parenthesis that do not name a function being defined.
KEYWORDS = frozenset(
    [
        "function",
        "func",
        "def",
        "fun",
        "if",
        "for",
        "while",
        "switch",
        "catch",
        "return",
        "new",
        "async",
        "await",
    ]
)
#: String prefixes (f"...", b'...').
_PREFIX = re.compile(r"(?<![\w$])[fbruFBRU]{1,2}(?=[\"'])")
#: A name in an expression that is not a CONSTANT.
_VALUE_NAME = re.compile(r"(?<![\w$.])(?![A-Z][A-Z0-9_]*\b)\$?[A-Za-z_][\w$]*")
#: Characters of a finding's ``why`` (``name <- name <- source``) kept.
MAX_WHY = 240


def skip_string(s: str, i: int, end: int, dead: dict[str, int]) -> int:
    """Where to go on from the quote at ``s[i]``: after the string it opens, else ``i + 1``.

    A quote whose string does not close before ``end`` (or, for ``"`` and ``'``, the end of its line)
    makes every later quote of its kind up to there fail the same way (each is escaped in that scan):
    they are skipped instead of scanned again, so a run of escaped quotes costs one scan, not one per
    quote (a line of escaped backticks made the flow pass quadratic).
    """
    q = s[i]
    if dead.get(q, -1) > i:
        return i + 1
    m = STRING.match(s, i, end)
    if m:
        return m.end()
    if q == "`":
        dead[q] = end
    else:
        nl = s.find("\n", i, end)
        dead[q] = end if nl < 0 else nl
    return i + 1


def close(s: str, pos: int, stop: int) -> int:
    """Index of the bracket closing the one before ``pos`` (or ``stop``), skipping strings."""
    depth = 0
    i = pos
    end = min(stop, pos + MAX_ARGS)
    dead: dict[str, int] = {}
    while i < end:
        ch = s[i]
        if ch in "\"'`":
            i = skip_string(s, i, end, dead)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return i
            depth -= 1
        elif ch == ";" and depth == 0:
            return i
        i += 1
    return end


def split_args(s: str) -> list[str]:
    """Top-level comma-separated parts of ``s``."""
    out: list[str] = []
    depth = 0
    start = i = 0
    n = len(s)
    dead: dict[str, int] = {}
    while i < n:
        ch = s[i]
        if ch in "\"'`":
            nxt = skip_string(s, i, n, dead)
            if nxt > i + 1:
                i = nxt
                continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(s[start:i])
            start = i + 1
        i += 1
    out.append(s[start:])
    return out


def unquote(expr: str) -> str:
    """``expr`` with string contents dropped, interpolations (``${x}``, ``#{x}``, f-string ``{x}``, PHP
    ``$x``) kept, and sanitiser calls dropped with their arguments."""

    def lit(m: re.Match[str]) -> str:
        parts = [g for im in _INTERP.finditer(m.group()) for g in im.groups() if g]
        return " (" + " ".join(parts) + ") " if parts else '""'

    out = STRING.sub(lit, expr)
    for _ in range(MAX_SANITIZERS):
        m = SANITIZER.search(out)
        if m is None:
            break
        end = close(out, m.end(), len(out))
        out = out[: m.start()] + " 0 " + out[end + 1 :]
    return out


def is_literal(expr: str) -> bool:
    e = expr.strip()
    return not e or bool(
        re.fullmatch(r"(?:[\"'`][^\"'`]*[\"'`]|[\d.]+|None|null|nil|true|false|True|False)", e)
    )


def because(name: str, why: str) -> str:
    """``name <- why``, its middle elided past :data:`MAX_WHY` characters (a chain through every line
    of a file made each step copy the whole chain: quadratic)."""
    out = f"{name[: MAX_WHY // 4]} <- {why}"
    if len(out) <= MAX_WHY:
        return out
    head = out[: MAX_WHY // 2].rpartition(" <- ")[0] or out[: MAX_WHY // 2]
    return f"{head} <- ... <- {out[-MAX_WHY // 3 :].partition(' <- ')[2]}"


def param_name(p: str, how: str) -> str:
    p = re.sub(r"@\w+(?:\([^()]*\))?|\[[^\]]*\]", " ", p).split("=")[0].strip()
    if how == "dollar":
        m = re.search(r"\$\w+", p)
        return m.group() if m else ""
    if how == "first" or ":" in p:
        m = re.match(r"\s*(?:\.\.\.|\*{1,2})?([A-Za-z_$][\w$]*)", p)
        return m.group(1) if m else ""
    words = re.findall(r"[A-Za-z_$][\w$]*", p)
    return words[-1] if words else ""


def with_offsets(start: int, parts: list[str]) -> list[tuple[int, str]]:
    """``parts`` (consecutive, comma-separated from ``start``) with the offset of each."""
    out = []
    for p in parts:
        out.append((start, p))
        start += len(p) + 1
    return out


def trace_of(line: int, older: tuple[int, ...]) -> tuple[int, ...]:
    """``line`` then the lines of ``older`` that differ from it, at most :data:`MAX_TRACE`."""
    return (line, *(x for x in older if x != line))[:MAX_TRACE]


def query_built(rhs: str) -> str:
    """The value ``rhs`` joins into query text (``"SELECT ... WHERE a = '" + name``, an f-string or a
    format with a SQL statement), or "" when it builds none."""
    if not _SQL_TEXT.search(rhs) or not BUILD.search(rhs):
        return ""
    clean = unquote(_PREFIX.sub("", rhs))
    for m in _VALUE_NAME.finditer(clean):
        if m.group() not in _NOT_VALUES and clean[m.end() : m.end() + 1] != "(":
            return m.group()
    return ""


_NOT_VALUES = frozenset(
    ["new", "null", "None", "nil", "true", "false", "True", "False", "this", "self", "and", "or"]
)
