"""Regexes compiled on first use: tables of per-language rules cost start-up time only for the
languages a diff holds (compiling every language's long alternations took tens of milliseconds of
every ``signoff`` run).
"""

from __future__ import annotations

import re
from typing import Any, cast


class _LazyPattern:
    """Stands in for ``re.compile(pattern, flags)``; compiles at the first attribute asked for, then
    keeps the compiled pattern's attributes on itself (later calls go straight to the C methods)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.__dict__["_source"] = (pattern, flags)
        self.__dict__["pattern"] = pattern  # read without compiling (rules built from other rules)

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(*self.__dict__["_source"])
        for attr in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"):
            self.__dict__[attr] = getattr(compiled, attr)
        for attr in ("flags", "groups", "groupindex"):
            self.__dict__[attr] = getattr(compiled, attr)
        self.__dict__["compiled"] = compiled
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self.__dict__['_source'][0]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled when first used (a bad pattern raises then, not here)."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))
