"""Candidate lines for each trigger pattern, in one pass over a side's text.

Two routes give the same candidates (up to extra ones the confirming regex then drops):

* Hyperscan: one multi-pattern database per side (all its patterns), scanned once over the text;
  each match's end offset names a candidate line.
* Pure ``re`` (no Hyperscan wheel, small diffs, or text Hyperscan's byte semantics would read
  differently): each pattern's *anchors* (literals every match contains) are found with one trie regex;
  a pattern without anchors runs as one multi-line ``finditer``, and every line its match touches is a
  candidate (a match may start on a blank line before the line it belongs to).

The caller confirms each candidate by running the pattern on the candidate's statement or line alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from signoff.checklists.linear import compile_linear
from signoff.checklists.model import Pattern
from signoff.relevance import hsdb

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
#: Characters Python's ``\s``/``\w`` read differently from Hyperscan's byte-oriented classes.
_NOT_HS = re.compile(r"[^\x00-\x1b\x20-\x7f]")


@dataclass(frozen=True, slots=True)
class Entry:
    """One pattern of one question, for one side (``added`` / ``removed``)."""

    eid: int
    qidx: int
    pattern: Pattern
    langs: frozenset[str]
    side: str

    @property
    def raw(self) -> bool:
        """Matched against the lines as written (comments included), one line at a time."""
        return self.pattern.comments


class Scanner:
    """Compiled multi-line forms and anchor tries of a set of entries (reused across diffs)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self._multi: dict[int, Any] = {}
        self._tries: dict[tuple[int, ...], re.Pattern[str] | None] = {}
        self._anchor_of: dict[tuple[int, ...], dict[str, list[int]]] = {}
        self._universes: dict[tuple[str, bool], tuple[tuple[int, str], ...]] = {}

    # ----------------------------------------------------------------------------------------------

    def multiline(self, eid: int) -> Any:
        """The entry's pattern compiled for scanning a whole text (``^``/``$`` at line ends)."""
        rx = self._multi.get(eid)
        if rx is None:
            p = self.entries[eid].pattern
            rx = compile_linear(p.source, multiline=True)[0] if p.linear else re.compile(p.source, re.M)
            self._multi[eid] = rx
        return rx

    def fallback(
        self, text: str, low: str, start: int, end: int, eids: Sequence[int]
    ) -> Iterable[tuple[int, int, int]]:
        """(entry id, first char, end char) of candidate spans in ``text[start:end]`` (pure ``re``)."""
        key = tuple(eids)
        trie = self._trie(key)
        if trie is not None:
            anchor_of = self._anchor_of[key]
            pos = start
            while True:
                m = trie.search(low, pos, end)
                if m is None:
                    break
                pos = m.start() + 1  # anchors may overlap: look again from the next character
                for eid in anchor_of[m.group()]:
                    yield eid, m.start(), m.end()
        for eid in eids:
            if self.entries[eid].pattern.anchors is None:
                for m in self.multiline(eid).finditer(text, start, end):
                    yield eid, m.start(), max(m.end(), m.start() + 1)

    def hyperscan(
        self, data: bytes, eids: Sequence[int], text: str, start: int, end: int
    ) -> Iterable[tuple[int, int, int]]:
        """(entry id, first byte, end byte) of candidates: Hyperscan ends, rejected patterns by ``re``.

        The database holds every pattern of the side (and raw/statement kind), not just ``eids``: one
        compile (cached on disk) serves every language mix, where a database per applicable set cost a
        compile for each new mix (253 on a 12-language corpus, 77 s cold). Matches outside ``eids`` are
        dropped here.
        """
        wanted = frozenset(eids)
        db = hsdb.database(self._universe(self.entries[eids[0]]))
        for eid, stop in db.scan(data):
            if eid in wanted:
                yield eid, max(stop - 1, 0), max(stop, 1)
        for eid in db.rejected:
            if eid in wanted:
                for m in self.multiline(eid).finditer(text, start, end):
                    yield eid, m.start() - start, max(m.end(), m.start() + 1) - start

    def _universe(self, like: Entry) -> tuple[tuple[int, str], ...]:
        """(id, regex) of every entry on ``like``'s side that reads lines the way ``like`` does."""
        key = (like.side, like.raw)
        got = self._universes.get(key)
        if got is None:
            got = self._universes[key] = tuple(
                (e.eid, e.pattern.source) for e in self.entries if e.side == like.side and e.raw == like.raw
            )
        return got

    # ----------------------------------------------------------------------------------------------

    def _trie(self, key: tuple[int, ...]) -> re.Pattern[str] | None:
        if key in self._tries:
            return self._tries[key]
        found: dict[str, list[int]] = {}
        for eid in key:
            for a in self.entries[eid].pattern.anchors or ():
                found.setdefault(a, []).append(eid)
        # Fold each anchor into a shorter one it contains: its occurrences are a subset, and the trie
        # stops at the shorter word.
        anchor_of: dict[str, list[int]] = {}
        for a in sorted(found, key=len):
            into = next((k for k in anchor_of if k in a), None)
            if into is None:
                anchor_of[a] = list(found[a])
            else:
                anchor_of[into] = list(dict.fromkeys(anchor_of[into] + found[a]))
        self._anchor_of[key] = anchor_of
        rx = re.compile(_trie_pattern(sorted(anchor_of))) if anchor_of else None
        self._tries[key] = rx
        return rx


def lowered(text: str) -> str:
    """ASCII-lower-cased ``text`` with every character kept in place (anchors are lower-case)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def hyperscan_safe(text: str) -> bool:
    """Whether Hyperscan's byte semantics read ``text`` exactly like Python's ``re`` (plain ASCII)."""
    return text.isascii() and _NOT_HS.search(text) is None


def _trie_pattern(words: list[str]) -> str:
    """A regex alternation of ``words`` shaped as a trie (shared prefixes factored), matching a word."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if "" in node:
            # A word ends here: match it alone (longer words sharing it as a prefix start at the same
            # place and are found because every occurrence is retried from the next character).
            return ""
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(trie)
