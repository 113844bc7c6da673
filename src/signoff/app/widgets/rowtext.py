"""One diff line's text cut into runs that share a look: syntax token, intraline emphasis, search match,
or an unsafe character shown as a placeholder. Runs come from the spans' boundaries, so a line costs
its number of spans, not its number of characters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from signoff.util.sanitize import unsafe_spans

TAB = 4


@dataclass(frozen=True, slots=True)
class Run:
    """Characters ``start..end`` of the line: their token type, emphasis, search match, and, for one
    unsafe character, its placeholder (``<ESC>``, ``^M``)."""

    start: int
    end: int
    ttype: Any
    emph: bool
    match: bool
    placeholder: str | None = None

    @property
    def look(self) -> tuple[Any, bool, bool]:
        return (self.ttype, self.emph, self.match)


def search_spans(text: str, term: str) -> list[tuple[int, int]]:
    """Non-overlapping case-insensitive matches of ``term`` in ``text``."""
    if not term:
        return []
    low, term = text.lower(), term.lower()
    out = []
    pos = low.find(term)
    while pos >= 0:
        out.append((pos, min(pos + len(term), len(text))))
        pos = low.find(term, pos + len(term))
    return out


def runs(
    text: str, tokens: Sequence[tuple[int, int, Any]], emph: Sequence[tuple[int, int]], term: str
) -> Iterator[Run]:
    """The runs of ``text``, in order, covering it exactly."""
    n = len(text)
    unsafe = {s: ph for s, _e, ph in unsafe_spans(text)}
    matches = search_spans(text, term)
    cuts = {0, n}
    for spans in (tokens, emph, matches):
        for span in spans:
            cuts.add(min(span[0], n))
            cuts.add(min(span[1], n))
    for s in unsafe:
        cuts.add(s)
        cuts.add(s + 1)
    points = sorted(cuts)
    tok = _Cover(tokens)  # in order, as the lexer made them
    emp = _Cover(sorted(emph))
    mat = _Cover(matches)
    held: Run | None = None  # runs that look the same are joined
    for a, b in pairwise(points):
        t = tok.at(a)
        run = Run(a, b, t[2] if t else None, emp.at(a) is not None, mat.at(a) is not None, unsafe.get(a))
        plain = run.placeholder is None and held is not None and held.placeholder is None
        if held is not None and plain and held.look == run.look:
            held = Run(held.start, b, run.ttype, run.emph, run.match)
            continue
        if held is not None:
            yield held
        held = run
    if held is not None:
        yield held


class _Cover:
    """Which of the sorted spans covers a position; positions are asked in increasing order."""

    __slots__ = ("k", "spans")

    def __init__(self, spans: Sequence[Sequence[Any]]) -> None:
        self.spans = spans
        self.k = 0

    def at(self, pos: int) -> Sequence[Any] | None:
        spans, k = self.spans, self.k
        while k < len(spans) and spans[k][1] <= pos:
            k += 1
        self.k = k
        return spans[k] if k < len(spans) and spans[k][0] <= pos else None


def expand_tabs(chunk: str, col: int) -> tuple[str, int]:
    """``chunk`` with tabs expanded to the next tab stop from column ``col``; and the column after it."""
    if "\t" not in chunk:
        return chunk, col + len(chunk)
    parts = []
    for ch in chunk:
        if ch == "\t":
            k = TAB - (col % TAB)
            parts.append(" " * k)
            col += k
        else:
            parts.append(ch)
            col += 1
    return "".join(parts), col
