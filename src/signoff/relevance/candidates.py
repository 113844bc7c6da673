"""Candidate lines for each trigger pattern, in one pass over a side's text.

Two routes give the same candidates (up to extra ones the confirming regex then drops):

* Hyperscan: one multi-pattern database for the patterns that apply to every file, scanned once over
  the whole text, and one per language for that language's files; each match's end offset names a
  candidate line. Hyperscan reads bytes, so the text is first projected
  to ASCII one character for one byte (:func:`hs_bytes`): a non-ASCII character becomes an ASCII one of
  the same class for Python's ``re`` (word, digit, space, other; the few that case-fold to an ASCII
  letter become that letter), so every ``re`` match is still a Hyperscan prefilter match at the same
  offsets. Patterns that name non-ASCII characters themselves run as ``re`` over the text instead.
* Pure ``re`` (no Hyperscan wheel, or small diffs): each pattern's *anchors* (literals every match
  contains) are found with one trie regex; a pattern without anchors runs as one multi-line
  ``finditer``, and every line its match touches is a candidate (a match may start on a blank line
  before the line it belongs to).

The caller confirms each candidate by running the pattern on the candidate's statement or line alone.
"""

from __future__ import annotations

import codecs
import re
import re._constants as sre_c  # type: ignore[import-not-found]  # no stubs; Python >= 3.11 has it
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from signoff.checklists.linear import compile_linear
from signoff.checklists.model import Pattern
from signoff.relevance import hsdb

#: ASCII characters Python's ``\s`` matches and Hyperscan's does not.
_CTRL_SPACE = re.compile(r"[\x1c-\x1f]")
#: Non-ASCII characters that Python's case-insensitive ``re`` matches to an ASCII letter.
CASE_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
#: A pattern that names non-ASCII characters (or \x7f) itself: not for the ASCII projection.
_UNICODE_SOURCE = re.compile(r"[^\x00-\x7f]|\\[uUN]|\\x(?:[89a-fA-F]|7[fF])")
_HS_ERRORS = "signoff-hs-ascii"
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _project(ch: str) -> str:
    """The ASCII stand-in of a non-ASCII character for Hyperscan (same ``re`` class)."""
    fold = CASE_FOLDS.get(ch)
    if fold is not None:
        return fold
    if ch.isdecimal():
        return "0"
    if ch.isalnum():
        return "x"
    return " " if ch.isspace() else "\x7f"


class _Projection(dict[int, str]):
    """Code point -> :func:`_project` of it, filled as characters are met (for ``str.translate``)."""

    def __missing__(self, cp: int) -> str:
        got = self[cp] = _project(chr(cp))
        return got


_PROJECTION = _Projection()


def _ascii_errors(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):  # pragma: no cover - only registered for encoding
        raise err
    return err.object[err.start : err.end].translate(_PROJECTION), err.end


codecs.register_error(_HS_ERRORS, _ascii_errors)


def hs_bytes(text: str, start: int, end: int) -> bytes:
    """``text[start:end]`` as ASCII bytes, one byte per character, for Hyperscan (see module doc)."""
    chunk = text[start:end]
    if _CTRL_SPACE.search(chunk) is not None:
        chunk = _CTRL_SPACE.sub(" ", chunk)
    return chunk.encode("ascii", _HS_ERRORS)


def hs_projectable(source: str) -> bool:
    """Whether Hyperscan may prefilter ``source`` over :func:`hs_bytes` text (it names no non-ASCII
    character)."""
    return _UNICODE_SOURCE.search(source) is None


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
        self._hs: dict[tuple[int, ...], tuple[hsdb.HsDatabase, list[int]]] = {}
        #: Entries whose patterns name non-ASCII characters: scanned by ``re`` on the Hyperscan route.
        self.unicode = [not hs_projectable(e.pattern.source) for e in self.entries]
        #: Entries every match of which holds a non-ASCII character: not scanned over ASCII text.
        self.non_ascii = [
            u and not e.pattern.linear and needs_non_ascii(e.pattern.source)
            for e, u in zip(self.entries, self.unicode, strict=True)
        ]

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
        yield from self.by_re(text, start, end, [eid for eid in eids if self._no_anchor(eid)])

    def hyperscan(self, data: bytes, eids: Sequence[int]) -> tuple[list[tuple[int, int]], list[int]]:
        """Hyperscan over ``data`` (:func:`hs_bytes` of a text) with one database for ``eids``:
        (entry id, end byte) of every prefilter match, and the entries left to ``re``
        (:meth:`by_re`: patterns Hyperscan refused, or that name non-ASCII characters)."""
        key = tuple(eids)
        got = self._hs.get(key)
        if got is None:  # the database (hashing every source to find it) once per set of entries
            db = hsdb.database(
                [(eid, self.entries[eid].pattern.source) for eid in eids if not self.unicode[eid]]
            )
            got = self._hs[key] = (db, sorted(db.rejected | {eid for eid in eids if self.unicode[eid]}))
        db, left = got
        return db.scan(data), list(left)

    def by_re(self, text: str, start: int, end: int, eids: Iterable[int]) -> Iterable[tuple[int, int, int]]:
        """(entry id, first char, end char) of each ``eids`` pattern's matches in ``text[start:end]``.

        A pattern every match of which holds a non-ASCII character is not run: each run of non-ASCII
        characters is its candidate instead (every statement or line that can match holds one, and the
        caller confirms each), which costs nothing on ASCII text and little on the few other lines.
        """
        runs: list[tuple[int, int]] | None = None
        for eid in eids:
            if self.non_ascii[eid]:
                if runs is None:
                    runs = [] if text.isascii() else [m.span() for m in _NON_ASCII.finditer(text, start, end)]
                yield from ((eid, a, b) for a, b in runs)
                continue
            for m in self.multiline(eid).finditer(text, start, end):
                yield eid, m.start(), max(m.end(), m.start() + 1)

    # ----------------------------------------------------------------------------------------------

    def _no_anchor(self, eid: int) -> bool:
        """Whether the entry is scanned whole (no anchors, or it names non-ASCII characters, which the
        ASCII-lowered text of :func:`lowered` does not keep)."""
        return self.entries[eid].pattern.anchors is None or self.unicode[eid]

    def _trie(self, key: tuple[int, ...]) -> re.Pattern[str] | None:
        if key in self._tries:
            return self._tries[key]
        found: dict[str, list[int]] = {}
        for eid in key:
            for a in () if self._no_anchor(eid) else self.entries[eid].pattern.anchors or ():
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


def needs_non_ascii(source: str) -> bool:
    """Whether every match of the ``re`` pattern ``source`` holds a non-ASCII character, so ASCII text
    cannot match (False when unsure: case-insensitive parts, classes with categories or negation)."""
    try:
        parsed = sre_parse.parse(source)
    except (re.error, RecursionError, OverflowError):
        return False
    return not parsed.state.flags & re.IGNORECASE and _sequence_needs(list(parsed))


def _sequence_needs(items: list[tuple[Any, Any]]) -> bool:
    return any(_item_needs(op, av) for op, av in items)


def _item_needs(op: Any, av: Any) -> bool:
    if op is sre_c.LITERAL:
        return bool(av > 0x7F)
    if op is sre_c.IN:
        return all((o is sre_c.LITERAL and a > 0x7F) or (o is sre_c.RANGE and a[0] > 0x7F) for o, a in av)
    if op is sre_c.BRANCH:
        return all(_sequence_needs(list(b)) for b in av[1])
    if op is sre_c.SUBPATTERN:
        return not av[1] & re.IGNORECASE and _sequence_needs(list(av[3]))
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
        return bool(av[0] >= 1) and _sequence_needs(list(av[2]))
    if op is sre_c.ATOMIC_GROUP:
        return _sequence_needs(list(av))
    return False


def lowered(text: str) -> str:
    """ASCII-lower-cased ``text`` with every character kept in place (anchors are lower-case ASCII):
    non-ASCII characters become their :func:`hs_bytes` stand-ins (a few extra candidates at most)."""
    return text.lower() if text.isascii() else hs_bytes(text, 0, len(text)).lower().decode("ascii")


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
