"""Regex safety for repository-supplied checklist patterns: compile checks, backtracking, anchors."""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # no stubs; Python >= 3.11 has it
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import Any

from signoff.checklists.model import MAX_PATTERN_LEN

# --------------------------------------------------------------------------------------------------
# Regex helpers


def regex_problems(source: str) -> tuple[re.Pattern[str] | None, list[str]]:
    """Compile ``source``; return the pattern and what is wrong with it (empty when fine)."""
    if not source:
        return None, ["empty regex"]
    if len(source) > MAX_PATTERN_LEN:
        return None, [f"regex longer than {MAX_PATTERN_LEN} characters"]
    try:
        compiled = re.compile(source)
    except re.error as exc:
        pos = f" at position {exc.pos}" if exc.pos is not None else ""
        return None, [f"bad regex {source!r}: {exc.msg}{pos}"]
    errors = []
    if compiled.groupindex:
        errors.append(f"regex {source!r}: named groups are not allowed (use (?:...))")
    if re.search(r"\\[1-9]|\(\?P=", source):
        errors.append(f"regex {source!r}: backreferences are not allowed")
    if _nested_unbounded(source):
        errors.append(f"regex {source!r}: nested unbounded quantifiers (catastrophic backtracking risk)")
    elif (why := _ambiguous_repeat(source)) is not None:
        errors.append(f"regex {source!r}: {why} (catastrophic backtracking risk)")
    return compiled, errors


def _nested_unbounded(source: str) -> bool:
    p = sre_parse
    try:
        tree = p.parse(source)
    except Exception:
        return False
    c = p  # constants live in the parser module's namespace
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}

    def has_repeat(items: Any) -> bool:
        for op, av in items:
            if op in repeats and av[1] > 1:
                return True
            if _children(op, av, c) and any(has_repeat(ch) for ch in _children(op, av, c)):
                return True
        return False

    def walk(items: Any) -> bool:
        for op, av in items:
            if op in repeats and av[1] == c.MAXREPEAT and has_repeat(av[2]):
                return True
            if any(walk(ch) for ch in _children(op, av, c)):
                return True
        return False

    return walk(tree)


#: Characters standing in for "any character" when deciding whether two regex parts can overlap.
_SAMPLE = frozenset(chr(i) for i in range(0x250)) | frozenset("\u2028\u3000\u0660\u4e00\U0001f600")


#: Adjacent unbounded repeats over shared characters cost one polynomial degree each (``\s*\s*\s*x``).
_MAX_ADJACENT_REPEATS = 3


def _ambiguous_repeat(source: str) -> str | None:
    r"""Why ``source`` can backtrack catastrophically without nested quantifiers, or None.

    Two shapes are refused: an unbounded repeat around alternatives that can start alike or match
    nothing (``(a|a)*b``, ``(a|ab)+c``: exponential), and three or more adjacent unbounded repeats
    that can all match the same characters (``\s*\s*\s*x``: one polynomial degree each).
    """
    p = sre_parse
    try:
        tree = p.parse(source)
    except Exception:
        return None
    c = p
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT}

    def walk(items: Any, in_repeat: bool) -> str | None:
        common: frozenset[str] = frozenset()  # what the current run of adjacent repeats all match
        run = 0
        for op, av in items:
            unbounded = op in repeats and av[1] == c.MAXREPEAT
            if op is c.BRANCH and in_repeat and _ambiguous_branch(av[1], c):
                return "alternatives that can start alike or match nothing, inside an unbounded repeat"
            if unbounded:
                first, _ = _first_chars(av[2], c)
                common, run = (common & first, run + 1) if run and common & first else (first, 1)
                if run >= _MAX_ADJACENT_REPEATS:
                    return f"{run} adjacent unbounded repeats that match the same characters"
            elif op not in (c.AT, c.ASSERT, c.ASSERT_NOT):
                run = 0
            for ch in _children(op, av, c):
                why = walk(ch, in_repeat or unbounded)
                if why:
                    return why
        return None

    return walk(tree, False)


def _ambiguous_branch(alternatives: Any, c: Any) -> bool:
    seen: set[str] = set()
    for alt in alternatives:
        first, nullable = _first_chars(alt, c)
        if nullable or first & seen:
            return True
        seen |= first
    return False


def _cases(ch: str) -> frozenset[str]:
    return frozenset({ch, ch.lower(), ch.upper()})


def _first_chars(items: Any, c: Any) -> tuple[frozenset[str], bool]:
    """Sample characters a sequence can start with (case-folded both ways) and whether it can be empty."""
    out: set[str] = set()
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.LITERAL:
            ch = chr(av)
            first, nullable = frozenset({ch, ch.lower(), ch.upper()}), False
        elif op is c.NOT_LITERAL:
            first, nullable = _SAMPLE - _cases(chr(av)), False
        elif op is c.ANY:
            first, nullable = _SAMPLE, False
        elif op is c.IN:
            first, nullable = _class_sample(av, c), False
        elif op is c.SUBPATTERN:
            first, nullable = _first_chars(av[-1], c)
        elif op is getattr(c, "ATOMIC_GROUP", None):
            first, nullable = _first_chars(av, c)
        elif op is c.BRANCH:
            parts = [_first_chars(alt, c) for alt in av[1]]
            first = frozenset().union(*(f for f, _ in parts))
            nullable = any(n for _, n in parts)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) or op is getattr(c, "POSSESSIVE_REPEAT", None):
            first, nullable = _first_chars(av[2], c)
            nullable = nullable or av[0] == 0
        else:  # groupref and the like: assume anything
            first, nullable = _SAMPLE, True
        out |= first
        if not nullable:
            return frozenset(out), False
    return frozenset(out), True


_CATEGORY_TESTS: dict[str, Callable[[str], bool]] = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_WORD": lambda ch: ch.isalnum() or ch == "_",
}


def _by_ord() -> dict[int, frozenset[str]]:
    """For each code point, the sample characters that are it or have it as their lower/upper case."""
    out: dict[int, set[str]] = {}
    for ch in _SAMPLE:
        for x in (ch, ch.lower(), ch.upper()):
            if len(x) == 1:
                out.setdefault(ord(x), set()).add(ch)
    return {o: frozenset(chs) for o, chs in out.items()}


_BY_ORD = _by_ord()
_ORDS = sorted(_BY_ORD)
_BY_LOWER: dict[str, frozenset[str]] = {}
for _ch in _SAMPLE:
    _BY_LOWER[_ch.lower()] = _BY_LOWER.get(_ch.lower(), frozenset()) | {_ch}
_CATEGORY_SETS = {name: frozenset(ch for ch in _SAMPLE if t(ch)) for name, t in _CATEGORY_TESTS.items()}
#: Classes already sampled (a reviewed file's regex literals repeat ``\w``, ``[a-z]``...): each costs a
#: pass over the sample, and a 2,000-character literal holds hundreds of them.
_CLASS_MEMO: dict[tuple[Any, ...], frozenset[str]] = {}


def _class_sample(items: Any, c: Any) -> frozenset[str]:
    """The sample characters a character class ``[...]`` matches (both cases of letters)."""
    key = tuple((str(op), av) for op, av in items)
    got = _CLASS_MEMO.get(key)
    if got is None:
        got = _class_sample_of(items, c)
        if len(_CLASS_MEMO) < 4096:
            _CLASS_MEMO[key] = got
    return got


def _class_sample_of(items: Any, c: Any) -> frozenset[str]:
    negate = False
    out: set[str] = set()
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            lit = chr(av)
            out |= _BY_LOWER.get(lit.lower(), frozenset()) | ({lit} & _SAMPLE)
        elif op is c.RANGE:
            for o in _ORDS[bisect_left(_ORDS, av[0]) : bisect_right(_ORDS, av[1])]:
                out |= _BY_ORD[o]
        elif op is c.CATEGORY:
            name = str(av)
            base = _CATEGORY_SETS.get(name.replace("_NOT_", "_"))
            if base is None:
                return _SAMPLE
            out |= base if "_NOT_" not in name else _SAMPLE - base
        else:
            return _SAMPLE
    return _SAMPLE - out if negate else frozenset(out)


#: Public names of the helpers the ReDoS analysis (:mod:`signoff.checklists.backtracking`) shares.
SAMPLE_CHARS = _SAMPLE


def first_chars(items: Any, c: Any) -> tuple[frozenset[str], bool]:
    """Sample characters a sequence can start with, and whether it can match nothing."""
    return _first_chars(items, c)


def class_sample(items: Any, c: Any) -> frozenset[str]:
    """Sample characters a character class matches."""
    return _class_sample(items, c)


def children(op: Any, av: Any, c: Any) -> list[Any]:
    """The sub-sequences of a parsed regex node."""
    return _children(op, av, c)


def _children(op: Any, av: Any, c: Any) -> list[Any]:
    if op is c.SUBPATTERN:
        return [av[-1]]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) or op is getattr(c, "POSSESSIVE_REPEAT", None):
        return [av[2]]
    if op is c.BRANCH:
        return list(av[1])
    if op is getattr(c, "ATOMIC_GROUP", None):
        return [av]
    if op in (c.ASSERT, c.ASSERT_NOT):
        return [av[1]]
    return []


def regex_anchors(source: str) -> frozenset[str] | None:
    """Lower-cased literal strings, one of which occurs in every match of ``source``.

    Used as a fast ``str.find`` prefilter before the real regex runs on the candidate line. ``None`` when
    no literal of 3+ characters (or a small set of non-ASCII characters) is required.
    """
    p = sre_parse
    try:
        tree = p.parse(source)
    except Exception:
        return None
    exact, anchors = _info(list(tree), p)
    cands = [a for a in (exact, anchors) if a and _strong(a)]
    if not cands:
        return None
    best = {x.lower() for x in max(cands, key=_score)}
    # A literal containing another one of the set adds nothing: drop it.
    return frozenset(x for x in best if not any(y != x and y in x for y in best))


_MAX_SET = 64


def _score(s: frozenset[str]) -> tuple[int, int, int]:
    # Each literal costs one scan of the text: beyond 4 characters, fewer literals beat longer ones.
    shortest = min(len(x) for x in s)
    return (min(shortest, 4), -len(s), shortest)


def _strong(s: frozenset[str]) -> bool:
    return bool(s) and all(len(x) >= 3 or (x and not x.isascii()) for x in s)


def _best(cands: list[frozenset[str]]) -> frozenset[str] | None:
    good = [c for c in cands if _strong(c)]
    return max(good, key=_score) if good else None


def _info(items: list[Any], c: Any) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """(exact set of strings the sequence matches, or None; best required-literal set, or None)."""
    cands: list[frozenset[str]] = []
    run: frozenset[str] | None = frozenset({""})
    for op, av in items:
        ex, anc = _node(op, av, c)
        if anc:
            cands.append(anc)
        if ex is None:
            if run is not None:
                cands.append(run)
            run = frozenset({""})
            continue
        if run is None:
            run = frozenset({""})
        if len(run) * len(ex) > _MAX_SET:
            cands.append(run)
            run = ex
        else:
            run = frozenset(a + b for a in run for b in ex)
    if run is not None:
        cands.append(run)
    exact_all = run if all(_node(op, av, c)[0] is not None for op, av in items) else None
    return exact_all, _best(cands)


def _node(op: Any, av: Any, c: Any) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    if op is c.LITERAL:
        return frozenset({chr(av)}), None
    if op is c.AT:
        return frozenset({""}), None
    if op is c.IN:
        return _class_chars(av, c), None
    if op is c.SUBPATTERN:
        return _info(list(av[-1]), c)
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _info(list(av), c)
    if op is c.BRANCH:
        infos = [_info(list(b), c) for b in av[1]]
        exacts = [e for e, _ in infos]
        exact = frozenset().union(*exacts) if all(e is not None for e in exacts) else None  # type: ignore[arg-type]
        if exact is not None and len(exact) > _MAX_SET:
            exact = None
        per = [_best([x for x in (e, a) if x]) for e, a in infos]
        anchors = frozenset().union(*per) if all(per) else None  # type: ignore[arg-type]
        return exact, anchors
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) or op is getattr(c, "POSSESSIVE_REPEAT", None):
        lo, hi, sub = av
        ex, anc = _info(list(sub), c)
        if lo == 0 and hi == 1 and ex is not None:
            return ex | {""}, None
        if lo >= 1:
            return None, _best([x for x in (ex, anc) if x])
        return None, None
    if op in (c.ASSERT, c.ASSERT_NOT):
        return frozenset({""}), None
    return None, None


def _class_chars(items: Any, c: Any) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE:
            lo, hi = av
            if hi - lo > _MAX_SET:
                return None
            chars.update(chr(x) for x in range(lo, hi + 1))
        else:
            return None
        if len(chars) > _MAX_SET:
            return None
    return frozenset(chars) if chars else None
