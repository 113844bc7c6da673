"""Intraline emphasis: which characters changed between a removed line and the added line paired with it.

Lines are paired within a hunk the way reviewers read them: a run of removed lines followed by a run of
added lines pairs up position by position. Spans come from a token-level ``SequenceMatcher`` (words,
numbers, single punctuation, whitespace runs); lines too long or too different get no emphasis.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from signoff.diff.model import Line, side_by_side

Span = tuple[int, int]

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
#: Beyond this many characters, fall back to the common prefix/suffix (linear).
MAX_TOKENISED = 800
#: Below this similarity the lines are unrelated: emphasising everything helps nobody.
MIN_RATIO = 0.3


def _prefix_suffix(old: str, new: str) -> tuple[list[Span], list[Span]]:
    n = min(len(old), len(new))
    p = 0
    while p < n and old[p] == new[p]:
        p += 1
    s = 0
    while s < n - p and old[-1 - s] == new[-1 - s]:
        s += 1
    old_span = [(p, len(old) - s)] if len(old) - s > p else []
    new_span = [(p, len(new) - s)] if len(new) - s > p else []
    return old_span, new_span


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in spans:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        elif b > a:
            out.append((a, b))
    return out


def changed_spans(old: str, new: str) -> tuple[list[Span], list[Span]]:
    """Character spans ``(start, end)`` that differ in ``old`` and in ``new``."""
    if old == new:
        return [], []
    if len(old) > MAX_TOKENISED or len(new) > MAX_TOKENISED:
        return _prefix_suffix(old, new)
    a = [m.group() for m in _TOKEN.finditer(old)]
    b = [m.group() for m in _TOKEN.finditer(new)]
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < MIN_RATIO:
        return [], []
    a_off = [0]
    for tok in a:
        a_off.append(a_off[-1] + len(tok))
    b_off = [0]
    for tok in b:
        b_off.append(b_off[-1] + len(tok))
    old_spans: list[Span] = []
    new_spans: list[Span] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old_spans.append((a_off[i1], a_off[i2]))
        new_spans.append((b_off[j1], b_off[j2]))
    return _merge(old_spans), _merge(new_spans)


def pair_lines(lines: Sequence[Line]) -> list[tuple[int, int]]:
    """Index pairs ``(removed, added)`` in ``lines``: the side-by-side pairs with a line on both sides."""
    return [(a, b) for a, b in side_by_side(lines) if a is not None and b is not None and a != b]


def hunk_spans(lines: Sequence[Line]) -> dict[int, list[Span]]:
    """Changed spans per line index for every paired removed/added line of a hunk."""
    out: dict[int, list[Span]] = {}
    for r, a in pair_lines(lines):
        old_spans, new_spans = changed_spans(lines[r].text, lines[a].text)
        if old_spans or new_spans:
            out[r] = old_spans
            out[a] = new_spans
    return out
