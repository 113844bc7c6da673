"""A fast parser for the TOML subset that :func:`signoff.record.dumps` writes.

Verifying thousands of review records is dominated by TOML parsing. Records written by signoff (tomlkit)
use a small, regular subset of TOML: comments, ``[table]`` and ``[[array-of-tables]]`` headers with bare
names, ``key = value`` with a bare key, basic strings without escapes, booleans, decimal integers,
inline tables and arrays (also one string or inline table per line), and multi-line literal strings
without quotes inside. :func:`parse` reads exactly that subset and returns None for anything else
(escapes, tabs, CR, other spacing, dotted keys, duplicate keys or tables, …), so the caller falls back
to the full parser (``tomli``). For every text it accepts, the result equals ``tomli.loads(text)``
(tests compare both on records and on mutated records): it never accepts what ``tomli`` rejects, and
never reads a value differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Anything that needs the full parser: control characters (TOML forbids most; tab and CR are legal but
# outside the subset), DEL, and backslashes (escapes in basic strings).
_OUTSIDE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\\\r]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# 0, or a decimal without leading zeros, sign only for negatives, at most 18 digits (fits 64 bits).
_INT = re.compile(r"0(?![0-9])|-?[1-9][0-9]{0,17}(?![0-9])")
_is_key = _BARE_KEY.fullmatch
# The common lines and values, matched in one call: ``key = "text"`` (maybe with a comment), and an
# inline table of strings.
_KEY_STR_LINE = re.compile(r'([A-Za-z0-9_-]+) = "([^"]*)"(?: #.*)?')
_STR_TABLE = re.compile(r'\{([A-Za-z0-9_-]+ = "[^"]*"(?:, [A-Za-z0-9_-]+ = "[^"]*")*)\}')
_STR_PAIR = re.compile(r'([A-Za-z0-9_-]+) = "([^"]*)"')


class _Outside(Exception):
    """The text uses TOML outside the subset: the caller uses the full parser."""


def parse(text: str) -> dict[str, Any] | None:
    """The document as ``tomli.loads`` returns it, or None when ``text`` is outside the subset."""
    if _OUTSIDE.search(text):
        return None
    try:
        return _parse(text)
    except _Outside:
        return None


def _parse(text: str) -> dict[str, Any]:
    root: dict[str, Any] = {}
    cur = root
    arrays_of_tables: set[str] = set()
    keys_ok = _KEYS_OK
    key_str_line = _KEY_STR_LINE.fullmatch
    lines = iter(text.split("\n"))
    for line in lines:
        m = key_str_line(line)
        if m is not None:
            key, value = m.groups()
            if key in cur:
                raise _Outside
            cur[key] = value
            continue
        c = line[:1]
        if c == "#" or not c:
            continue
        if c == "[":
            if line.startswith("[["):
                name = line[2:-2]
                if not line.endswith("]]") or not _key(name, keys_ok):
                    raise _Outside
                tables = root.get(name)
                if tables is None:
                    tables = root[name] = []
                    arrays_of_tables.add(name)
                elif name not in arrays_of_tables:
                    raise _Outside
                cur = {}
                tables.append(cur)
            else:
                name = line[1:-1]
                if not line.endswith("]") or not _key(name, keys_ok) or name in root:
                    raise _Outside
                cur = root[name] = {}
            continue
        key, sep, value = line.partition(" = ")
        if not sep or key in cur or not _key(key, keys_ok):
            raise _Outside
        if value[:1] == '"':  # the common case: a string, maybe with a comment
            end = value.find('"', 1)
            if end == len(value) - 1:
                cur[key] = value[1:end]
                continue
            if end < 0 or not value.startswith(" #", end + 1):
                raise _Outside
            cur[key] = value[1:end]
        elif value == "[":  # an array, one item per line, closed by "]" on its own line
            cur[key] = _array(lines)
        elif value.startswith("'''"):  # a multi-line literal string without quotes inside
            cur[key] = _literal(value[3:], lines)
        else:
            item, end = _value(value, 0)
            if end != len(value) and not value.startswith(" #", end):
                raise _Outside
            cur[key] = item
    return root


def _array(lines: Iterator[str]) -> list[Any]:
    """The items of an array opened by ``key = [``: one per line, closed by ``]`` on its own line."""
    items: list[Any] = []
    for line in lines:
        if line == "]":
            return items
        if line[:5] == '    "' and line[-2:] == '",' and line.find('"', 5) == len(line) - 2:
            items.append(line[5:-2])
            continue
        if not line.startswith("    ") or line[-1:] != ",":
            raise _Outside
        item, end = _value(line, 4)
        if end != len(line) - 1:
            raise _Outside
        items.append(item)
    raise _Outside


def _literal(first: str, lines: Iterator[str]) -> str:
    """A multi-line literal string (no quotes inside) whose first line, after the quotes, is ``first``."""
    if "'" in first:
        raise _Outside
    parts = [first] if first else []  # a newline right after the opening quotes is trimmed
    for line in lines:
        if line.endswith("'''"):
            line = line[:-3]
            if "'" in line:
                raise _Outside
            parts.append(line)
            return "\n".join(parts)
        if "'" in line:
            raise _Outside
        parts.append(line)
    raise _Outside


#: Bare keys already checked (the record schema's few dozen names, bounded).
_KEYS_OK: set[str] = set()


def _key(name: str, ok: set[str]) -> bool:
    """Whether ``name`` is a bare key."""
    if name in ok:
        return True
    if _is_key(name) is None:
        return False
    if len(ok) < 256:
        ok.add(name)
    return True


def _value(s: str, pos: int) -> tuple[Any, int]:
    """The value starting at ``s[pos]`` and the index after it."""
    c = s[pos : pos + 1]
    if c == '"':
        end = s.find('"', pos + 1)
        if end < 0:
            raise _Outside
        return s[pos + 1 : end], end + 1
    if c == "{":
        m = _STR_TABLE.match(s, pos)
        if m is not None:
            pairs = _STR_PAIR.findall(m.group(1))
            table = dict(pairs)
            if len(table) != len(pairs):
                raise _Outside
            return table, m.end()
        table = {}
        p = pos + 1
        while True:
            eq = s.find(" = ", p)
            if eq < 0:
                raise _Outside
            key = s[p:eq]
            if key in table or not _key(key, _KEYS_OK):
                raise _Outside
            table[key], p = _value(s, eq + 3)
            if s.startswith(", ", p):
                p += 2
            elif s.startswith("}", p):
                return table, p + 1
            else:
                raise _Outside
    if c == "[":
        if s.startswith("[]", pos):
            return [], pos + 2
        items = []
        p = pos + 1
        while True:
            item, p = _value(s, p)
            items.append(item)
            if s.startswith(", ", p):
                p += 2
            elif s.startswith("]", p):
                return items, p + 1
            else:
                raise _Outside
    if s.startswith("true", pos):
        return True, pos + 4
    if s.startswith("false", pos):
        return False, pos + 5
    m = _INT.match(s, pos)
    if m is None:
        raise _Outside
    return int(m.group()), m.end()
