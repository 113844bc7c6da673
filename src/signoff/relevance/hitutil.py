"""Small helpers of the relevance engine: hit text (clipped, redacted), file facts, AI line sets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from signoff.relevance.model import Hit

if TYPE_CHECKING:
    from signoff.diff.model import FileDiff
    from signoff.relevance.statements import SideText

#: Characters of a hit line kept.
MAX_TEXT = 240

AiLines = Callable[[str, int], bool] | Mapping[str, Iterable[int]] | Iterable[tuple[str, int]] | Any


def sniff(f: FileDiff) -> str:
    if not f.hunks or not f.path.lower().endswith((".yml", ".yaml")):
        return ""
    return f.hunks[0].body[:4000]


def first_line(f: FileDiff) -> tuple[int, str]:
    for h in f.hunks:
        if h.new_count:
            return h.new_start, "new"
    if f.hunks:
        return f.hunks[0].old_start, "old"
    return 0, "new"


def clip(s: str) -> str:
    s = s.strip()
    return s if len(s) <= MAX_TEXT else s[: MAX_TEXT - 1] + "…"


def added_hit(text: SideText, path: str, line: int, reason: str, matched: str) -> Hit:
    """The hit of ``path`` at line index ``line`` of ``text`` (the added side), its text clipped."""
    ls, le = text.span(line, line + 1)
    return Hit(path, text.number(line), "new", clip(text.raw[ls:le]), "added", reason, clip(matched))


def mask(secret: str) -> str:
    keep = min(4, len(secret) // 4)
    return secret[:keep] + "[redacted]"


def redact_line(line: str, at: int) -> str:
    return clip(line[:at] + mask(line[at:]))


def ranges(nums: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for n in sorted(set(nums)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def ai_lines(ai: AiLines, files: list[FileDiff]) -> dict[str, list[int]]:
    """Normalise AI attribution to {path: [new line numbers]} for the files in the diff."""
    if ai is None:
        return {}
    paths = {f.path for f in files}
    line_sets = getattr(ai, "line_sets", None)
    if callable(line_sets):
        ai = line_sets()
    if isinstance(ai, Mapping):
        return {str(p): sorted(int(n) for n in v) for p, v in ai.items() if p in paths and v}
    if callable(ai):
        out: dict[str, list[int]] = {}
        for f in files:
            if f.binary or f.too_large:
                continue
            got = [n for h in f.hunks for n, _ in h.added_lines() if ai(f.path, n)]
            if got:
                out[f.path] = got
        return out
    out = {}
    for item in ai:
        p, n = item
        if p in paths:
            out.setdefault(p, []).append(int(n))
    return out
