"""How badly a regular expression can backtrack in a backtracking engine (JavaScript, Python, Java, .NET,
Ruby, PCRE): the analysis behind the ReDoS question's hits on regex literals in code.

Two classes are reported (``catastrophic`` returns why, or None):

* **exponential**: an unbounded repeat whose body can split one string into iterations in more than one
  way: an inner unbounded repeat that every other required part of the body can be matched by
  (``(a+)+``, ``(\\w+\\s?)*``, ``([-.\\w]*[a-z])*``), or alternatives that can match the same text
  (``(\\r\\n|\\r|\\n)*``, ``(\\w+|\\d+)*``);
* **polynomial**: a chain of unbounded repeats over shared characters where each can also match what
  stands between it and the next (``.+;\\s+.*\\s+x``), followed by something that can fail. Each repeat in
  the chain is one degree; an unanchored search adds one. Degree 3 or more is reported; degree 2 when the
  two repeats are adjacent (``(.*)\\s+x``, ``\\s*,?\\s*\\d``) and for whitespace at the end of an
  unanchored search (``\\s+$``: the classic trim ReDoS). Optional groups and alternatives are followed
  both ways (taken and skipped).

Possessive repeats and atomic groups do not backtrack and are not counted. The parse is Python's
(``re._parser``); other dialects are translated first by the caller. Work is linear in the pattern's
size: each node is visited a bounded number of times and chains keep a bounded frontier.
"""

from __future__ import annotations

import re._parser as sre_parse  # type: ignore[import-not-found]  # no stubs; Python >= 3.11 has it
import warnings
from functools import lru_cache
from typing import Any

from signoff.checklists.regex import SAMPLE_CHARS, children, class_sample, first_chars

_C = sre_parse
_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT)
#: A bounded repeat allowing at least this many iterations backtracks like an unbounded one.
_WIDE = 10
#: Longest pattern analysed (longer literals in code are rare and not worth the parse).
MAX_PATTERN = 2000
_BEGIN = {_C.AT_BEGINNING, _C.AT_BEGINNING_STRING}
_END = {_C.AT_END, _C.AT_END_STRING}
_SPACE = frozenset(ch for ch in SAMPLE_CHARS if ch.isspace())
_FRONTIER = 8
_NOT_NEWLINE = SAMPLE_CHARS - {"\n"}
_EMPTY: frozenset[str] = frozenset()


def _wide(op: Any, av: Any) -> bool:
    return op in _REPEATS and (av[1] == _C.MAXREPEAT or av[1] >= _WIDE)


@lru_cache(maxsize=4096)
def catastrophic(source: str, verbose: bool = False) -> str | None:
    """Why ``source`` (Python regex syntax) can backtrack catastrophically, or None (also when it does not
    parse)."""
    if len(source) > MAX_PATTERN:
        return None
    try:
        with warnings.catch_warnings():  # code under review is not ours to warn about ("possible set union")
            warnings.simplefilter("ignore")
            tree = sre_parse.parse(source, _C.SRE_FLAG_VERBOSE if verbose else 0)
    except Exception:
        return None
    items = list(tree)
    why = _exponential(items)
    if why:
        return why
    alternatives = _top_alternatives(items)
    for alt in alternatives:
        why = _polynomial(alt, False)
        if why:
            return why
    return None


def _top_alternatives(items: list[Any]) -> list[list[Any]]:
    """The whole pattern, or each alternative of a top-level ``a|b`` (with what follows it)."""
    flat = _flatten(items)
    for i, (op, av) in enumerate(flat):
        if op is _C.BRANCH:
            head, rest = flat[:i], flat[i + 1 :]
            return [head + _flatten(list(alt)) + rest for alt in av[1]]
    return [flat]


def _flatten(items: Any) -> list[Any]:
    """The sequence with plain groups spliced in (a group matches its items in order)."""
    out: list[Any] = []
    for op, av in items:
        if op is _C.SUBPATTERN:
            out += _flatten(av[-1])
        else:
            out.append((op, av))
    return out


# --------------------------------------------------------------------------------------------------
# Character sets and nullability of one element


def _chars(op: Any, av: Any) -> frozenset[str]:
    """Sample characters the element can match anywhere in its match."""
    if op is _C.LITERAL:
        ch = chr(av)
        return frozenset({ch, ch.lower(), ch.upper()})
    if op is _C.NOT_LITERAL:
        ch = chr(av)
        return SAMPLE_CHARS - {ch, ch.lower(), ch.upper()}
    if op is _C.ANY:
        return _NOT_NEWLINE
    if op is _C.IN:
        return class_sample(av, _C)
    if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
        return _EMPTY
    if op is _C.BRANCH:
        return frozenset().union(*(_seq_chars(alt) for alt in av[1]))
    kids = children(op, av, _C)
    if kids:
        return frozenset().union(*(_seq_chars(k) for k in kids))
    return SAMPLE_CHARS


def _seq_chars(items: Any) -> frozenset[str]:
    return frozenset().union(*(_chars(op, av) for op, av in items)) if items else _EMPTY


def _nullable(op: Any, av: Any) -> bool:
    return first_chars([(op, av)], _C)[1]


def _free(op: Any, av: Any) -> bool:
    """The element can match nothing anywhere (not only where an anchor or lookaround holds)."""
    if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
        return False
    if op is _C.BRANCH:
        return any(all(_free(o, a) for o, a in alt) for alt in av[1])
    if op is _C.SUBPATTERN:
        return all(_free(o, a) for o, a in av[-1])
    if op in _REPEATS:
        return av[0] == 0 or all(_free(o, a) for o, a in av[2])
    return False


# --------------------------------------------------------------------------------------------------
# Exponential: ambiguous iterations of an unbounded repeat


def _exponential(items: Any) -> str | None:
    for op, av in items:
        if _wide(op, av):
            why = _ambiguous_body(_flatten(av[2]))
            if why:
                return why
        for kid in children(op, av, _C):
            why = _exponential(kid)
            if why:
                return why
    return None


def _ambiguous_body(body: list[Any]) -> str | None:
    """Why iterations of a repeat over ``body`` can split the same text in several ways, or None."""
    for op, av in body:
        if op is _C.BRANCH and _ambiguous_alternatives(av[1]):
            return "alternatives that can match the same text, inside an unbounded repeat (exponential)"
    required = [i for i, (op, av) in enumerate(body) if not _free(op, av)]
    if required and _wrap_overlap(body, required[0], required[-1]):
        return "repeats at the end and the start of a repeated group that share characters (exponential)"
    for i, (op, av) in enumerate(body):
        if not _wide(op, av):
            continue
        inner = _seq_chars(av[2])
        if all(j == i or _chars(*body[j]) <= inner for j in required):
            return "a repeat inside an unbounded repeat that can match the same text (exponential)"
    return None


def _wrap_overlap(body: list[Any], first: int, last: int) -> bool:
    """One iteration's trailing repeat and the next one's leading repeat can share characters
    (``(\\s*,\\s*)*``): every boundary between iterations can be placed in several ways."""
    lead = [av for op, av in body[: first + 1] if _wide(op, av)]
    tail = [av for op, av in body[last:] if _wide(op, av)]
    if not lead or not tail or (len(lead) == 1 and lead[0] is tail[-1] and first == last):
        return False
    return bool(_seq_chars(lead[0][2]) & _seq_chars(tail[-1][2]))


def _ambiguous_alternatives(alternatives: Any) -> bool:
    """Alternatives of a repeated group that can split the same text in more than one way: two "loose"
    ones (a single character or class, or one unbounded repeat) that share a character, or another one
    whose every character a loose one also matches (``(\\r\\n|\\r|\\n)*``, ``(\\w+|\\d)*``, ``(a|aa)*``;
    not ``(\\\\.|[^"\\\\])*`` nor ``(ab|ac)*``)."""
    loose: frozenset[str] = _EMPTY
    others: list[frozenset[str]] = []
    for alt in alternatives:
        alt = _flatten(alt)
        chars = _seq_chars(alt)
        if len(alt) == 1 and (alt[0][0] in (_C.LITERAL, _C.NOT_LITERAL, _C.ANY, _C.IN) or _wide(*alt[0])):
            if loose & chars:
                return True
            loose |= chars
        elif chars:
            others.append(chars)
    return any(chars <= loose for chars in others)


# --------------------------------------------------------------------------------------------------
# Polynomial: chains of overlapping unbounded repeats


class _Found(Exception):
    """A costly chain was found (its reason)."""


#: Open chains: (last repeat's chars, the chars it can end on, what was required since it, degree); and the
#: chars required before here (None once a literal was).
_Chain = tuple[frozenset[str], frozenset[str], frozenset[str], int]
_State = tuple[list[_Chain], frozenset[str] | None]


def _polynomial(seq: list[Any], nested: bool) -> str | None:
    """Why a chain of overlapping repeats in ``seq`` (one alternative, groups spliced) is too costly.
    ``nested``: a part matched at one position (an inner alternative, a lookaround), not a search."""
    anchored = nested or (bool(seq) and seq[0][0] is _C.AT and seq[0][1] in _BEGIN)
    try:
        _walk(seq, ([], _EMPTY), anchored, (False, True))
    except _Found as found:
        return str(found)
    except RecursionError:
        return None
    return None


def _walk(seq: list[Any], state: _State, anchored: bool, after: tuple[bool, bool]) -> _State:
    """The chains open after matching ``seq`` from ``state`` (an optional group or alternatives: both
    ways, merged). ``after``: whether what follows ``seq`` can fail, and whether only an end test can."""
    n = len(seq)
    fails_from = [after[0]] * (n + 1)
    only_end_from = [after[1]] * (n + 1)
    for i in range(n - 1, -1, -1):
        op, av = seq[i]
        required = op is not _C.AT and not _nullable(op, av)
        fails_from[i] = fails_from[i + 1] or (op is _C.AT and av not in _BEGIN) or required
        end_test = op is not _C.AT or av in _END or av in _BEGIN
        only_end_from[i] = only_end_from[i + 1] and not required and end_test
    frontier, prefix = state
    for i, (op, av) in enumerate(seq):
        rest = (fails_from[i + 1], only_end_from[i + 1])
        if _wide(op, av):
            frontier, prefix = _repeat(av, frontier, prefix, anchored, rest, seq, i)
        elif op in _REPEATS and av[0] == 0 and av[1] == 1:
            taken = _walk(_flatten(av[2]), (list(frontier), prefix), anchored, rest)
            frontier, prefix = _merge([(frontier, prefix), taken])
        elif op is _C.BRANCH:
            ways = [_walk(_flatten(alt), (list(frontier), prefix), True, rest) for alt in av[1]]
            frontier, prefix = _merge(ways)
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            why = _polynomial(_flatten(av[1]), True)
            if why:
                raise _Found(why)
        elif op is not _C.AT and not _nullable(op, av):
            chars = _chars(op, av)
            frontier = [(s, e, mid | chars if mid else chars, d) for s, e, mid, d in frontier if chars <= s]
            if prefix is not None:
                prefix = None if op is _C.LITERAL else prefix | chars
    return frontier, prefix


def _repeat(
    av: Any,
    frontier: list[_Chain],
    prefix: frozenset[str] | None,
    anchored: bool,
    rest: tuple[bool, bool],
    seq: list[Any],
    i: int,
) -> _State:
    chars = _seq_chars(av[2])
    starts = first_chars(av[2], _C)[0]
    # linked: the earlier repeat can end on what this one starts with (after absorbing what lies between)
    linked = [
        (d, not mid)
        for s, e, mid, d in frontier
        if not (e if not mid else s).isdisjoint(starts) and (not mid or mid <= chars)
    ]
    degree = 1 + max((d for d, _ in linked), default=0)
    adjacent = any(adj and d + 1 >= 2 for d, adj in linked)
    if not anchored and prefix is not None and prefix <= chars and not chars >= _NOT_NEWLINE:
        # the search retries at every start inside the run (engines anchor a leading ``.*``)
        degree = max(degree, 2)
    # only an end test after a run that can reach the end: it fails only on a newline in the text
    reaches_end = chars >= _NOT_NEWLINE or (av[0] == 0 and any(s >= _NOT_NEWLINE for s, _, _, _ in frontier))
    if rest[0] and not (reaches_end and rest[1]):
        why = _degree_problem(degree, adjacent, chars, seq, i, anchored)
        if why:
            raise _Found(why)
    if av[0] >= 1 and prefix is not None:
        prefix = None if all(o is _C.LITERAL for o, _ in av[2]) else prefix | chars
    frontier = [(s, e, mid | chars if mid else chars, d) for s, e, mid, d in frontier if chars <= s]
    frontier.append((chars, _end_chars(av[2]), _EMPTY, degree))
    return sorted(frontier, key=lambda x: -x[3])[:_FRONTIER], prefix


def _end_chars(items: Any) -> frozenset[str]:
    """Sample characters a sequence can end on (its last required element's, and optional ones after)."""
    out: set[str] = set()
    for op, av in reversed(list(items)):
        if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            continue
        if op is _C.SUBPATTERN:
            got = _end_chars(av[-1])
        elif op is _C.BRANCH:
            got = frozenset().union(*(_end_chars(alt) for alt in av[1]))
        elif op in _REPEATS:
            got = _end_chars(av[2])
        else:
            got = _chars(op, av)
        out |= got
        if not _nullable(op, av):
            break
    return frozenset(out)


def _merge(states: list[_State]) -> _State:
    frontier = sorted({e for f, _ in states for e in f}, key=lambda x: -x[3])[:_FRONTIER]
    prefixes = [p for _, p in states]
    prefix = None if any(p is None for p in prefixes) else frozenset().union(*prefixes)  # type: ignore[arg-type]
    return frontier, prefix


def _only_end_after(seq: list[Any], i: int) -> bool:
    """Nothing after ``i`` can fail but an end-of-text test (which a repeat of any character reaches)."""
    rest = [(op, av) for op, av in seq[i + 1 :] if op is _C.AT or not _nullable(op, av)]
    return all(op is _C.AT and av in _END for op, av in rest)


def _degree_problem(
    degree: int, adjacent: bool, chars: frozenset[str], seq: list[Any], i: int, anchored: bool
) -> str | None:
    if degree >= 3:
        return f"{degree} chained repeats over the same characters (polynomial, degree {degree})"
    if adjacent:
        return "two adjacent repeats over the same characters before something that can fail (quadratic)"
    if degree == 2 and not anchored and chars <= _SPACE:
        rest = [(op, av) for op, av in seq[i + 1 :] if not (op is not _C.AT and _nullable(op, av))]
        if rest and rest[0][0] is _C.AT and rest[0][1] in _END:
            return "whitespace repeated before the end of an unanchored search (quadratic)"
    return None
