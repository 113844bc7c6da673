"""Linear-time matching (RE2) for every pattern a repository supplies: override regexes and path globs.

Python's ``re`` backtracks: a pattern from the repository under review (``.signoff/checklists/*.toml``)
could make ``scan`` and the TUI run for minutes on a short line or path. RE2 runs in time linear in the
input for every pattern it accepts; it refuses what needs backtracking (lookaround, backreferences,
possessive repeats), and those are refused here with a one-line message naming the feature.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import re2  # type: ignore[import-untyped]

from signoff.util.globs import glob_body

#: Memory RE2 may use for one compiled program (bounds the DFA cache; larger patterns are refused).
MAX_MEM = 8 << 20

_FEATURES = (
    (re.compile(r"\(\?<?[=!]"), "lookaround (?=, (?!, (?<=, (?<!)"),
    (re.compile(r"\\[1-9]|\(\?P="), "backreferences"),
    (re.compile(r"(?<!\\)[*+?}]\+"), "possessive repeats (a++)"),
    (re.compile(r"\(\?>"), "atomic groups (?>...)"),
    (re.compile(r"\\[ZA]"), r"\Z / \A (use \z / ^ )"),
)


class Matcher(Protocol):
    """What the engine needs from a compiled pattern (``re.Pattern`` and RE2 both provide it)."""

    def search(self, text: str, pos: int = ..., endpos: int = ...) -> Any: ...

    def finditer(self, text: str, pos: int = ..., endpos: int = ...) -> Any: ...


def _options() -> Any:
    opts = re2.Options()
    opts.log_errors = False
    opts.max_mem = MAX_MEM
    return opts


def compile_linear(source: str, *, multiline: bool = False) -> tuple[Matcher | None, str | None]:
    """Compile ``source`` with RE2; return the pattern, or None and why it was refused (one line)."""
    for rx, feature in _FEATURES:
        if rx.search(source):
            why = f"uses {feature}, which RE2 (the linear-time engine for repository patterns) lacks"
            return None, f"regex {source!r} {why}"
    try:
        return re2.compile(("(?m)" if multiline else "") + source, _options()), None
    except Exception as exc:  # re2 raises its own error type with a bytes message
        msg = exc.args[0] if exc.args else exc
        if isinstance(msg, bytes):
            msg = msg.decode("utf-8", "replace")
        return (
            None,
            f"bad regex {source!r}: not valid in RE2, the linear-time engine for repository patterns ({msg})",
        )


def compile_glob(glob: str) -> Matcher:
    """A path glob as an RE2 pattern matching the whole path (raises ValueError when it is not valid)."""
    try:
        matcher: Matcher = re2.compile("(?i)" + glob_body(glob) + r"\z", _options())
        return matcher
    except Exception as exc:
        raise ValueError(f"bad path glob {glob!r}") from exc


class GlobSet:
    """Many path globs matched at once (one RE2 set): the indexes of the globs a path matches."""

    def __init__(self, globs: list[str]) -> None:
        self.globs = list(globs)
        self._set = re2.Set.FullMatchSet(_options()) if globs else None
        for g in self.globs:
            if self._set.Add("(?i)" + glob_body(g)) < 0:  # type: ignore[union-attr]
                raise ValueError(f"bad path glob {g!r}")
        if self._set is not None:
            self._set.Compile()

    def matching(self, path: str) -> list[int]:
        if self._set is None or not path:
            return []
        return sorted(self._set.Match(path) or ())


class LazyRegex:
    """A shipped (trusted) Python regex compiled on first use: most never run on a given diff."""

    __slots__ = ("_rx", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._rx: re.Pattern[str] | None = None

    def _compiled(self) -> re.Pattern[str]:
        if self._rx is None:
            self._rx = re.compile(self.pattern)
        return self._rx

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        return self._compiled().search(text, *args)

    def finditer(self, text: str, *args: int) -> Any:
        return self._compiled().finditer(text, *args)

    def match(self, text: str, *args: int) -> re.Match[str] | None:
        return self._compiled().match(text, *args)
