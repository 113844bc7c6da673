"""Bounds for parsing untrusted TOML (records, config, checklists): nesting depth, checked without recursion.

``tomllib`` recurses once or twice per nested array or inline table, so a few thousand ``[`` make it
raise RecursionError; dotted keys (``[a.b.c...]``) build equally deep tables that later recursive code
(converters, JSON encoding) trips on. :func:`check_depth` rejects both before and after parsing, in
linear time and without recursion.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from typing import Any

#: Deeper than any file signoff reads legitimately needs (records nest 3 levels, checklists 4).
MAX_DEPTH = 32

# Strings and comments (whose brackets do not count), then the brackets themselves. Every alternative
# starts with a different character and no repeat is nested in another: linear time.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^']|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\[\]{}]",
    re.DOTALL,
)


class TooDeep(ValueError):
    """The document nests deeper than :data:`MAX_DEPTH`."""


def check_text_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise :class:`TooDeep` if brackets and braces in ``text`` (outside strings) nest beyond ``limit``."""
    if text.count("[") + text.count("{") <= limit:
        return
    depth = 0
    for m in _TOKENS.finditer(text):
        ch = m.group()
        if ch in "[{":
            depth += 1
            if depth > limit:
                raise TooDeep(f"nested more than {limit} levels deep")
        elif ch in "]}":
            depth = max(0, depth - 1)


def check_value_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Raise :class:`TooDeep` if the parsed ``value`` (dicts and lists) nests beyond ``limit``."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise TooDeep(f"nested more than {limit} levels deep")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def loads(text: str, parser: Callable[[str], dict[str, Any]] = tomllib.loads) -> dict[str, Any]:
    """``parser(text)`` within the depth bound; :class:`TooDeep` when exceeded (never RecursionError)."""
    check_text_depth(text)
    try:
        data = parser(text)
    except RecursionError:
        raise TooDeep("nested too deeply to parse") from None
    check_value_depth(data)
    return data
