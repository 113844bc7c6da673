"""Statement building takes fast paths (regex pre-filters over the whole text, C-level side extraction,
skipping ``re`` scans that cannot match): each must give exactly what the plain definition gives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.diff.model import FileDiff, FileStatus, Hunk
from signoff.relevance import statements
from signoff.relevance.candidates import needs_non_ascii
from signoff.relevance.statements import MAX_DOCKERFILE_LINES, MAX_STATEMENT_LINES, continuations

_TRAILING = frozenset("+\\.,=([%|&?")
_TRIVIAL = re.compile(r"^\s*(?:pass|\.\.\.|continue|return|nil|end)\s*(?:#.*)?$")


def _leads(nxt: str) -> bool:
    start = nxt.lstrip()
    return bool(start) and (
        start[0] in ".+%?" or start.startswith(("||", "&&")) or (start[0] == ":" and start[:2] != "::")
    )


def _plain_code(code: list[str], python: bool) -> list[bool]:
    """The definition, one line at a time: open brackets, a trailing or leading operator, `if x: pass`."""
    cont = [False] * len(code)
    depth = span = 0
    for i in range(len(code) - 1):
        line, nxt = code[i], code[i + 1]
        depth = max(0, depth + sum(line.count(c) for c in "([") - sum(line.count(c) for c in ")]"))
        span += 1
        end = line.rstrip()
        if span < MAX_STATEMENT_LINES and (
            depth > 0
            or (end and end[-1] in _TRAILING)
            or end.endswith((" or", " and"))
            or _leads(nxt)
            or (python and end.endswith(":") and _TRIVIAL.match(nxt) is not None)
        ):
            cont[i] = True
        else:
            depth = span = 0
    return cont


def _plain_backslash(code: list[str], docker: bool) -> list[bool]:
    cont = [False] * len(code)
    span = 0
    for i in range(len(code) - 1):
        span += 1
        end = code[i].rstrip()
        limit = MAX_DOCKERFILE_LINES if docker else MAX_STATEMENT_LINES
        blank_inside = docker and not end and i > 0 and cont[i - 1] and bool(code[i + 1].strip())
        if span < limit and (end.endswith("\\") or blank_inside):
            cont[i] = True
        else:
            span = 0
    return cont


_PIECES = st.sampled_from(
    ["(", ")", "[", "]", "f(x)", "a", " ", "\t", "\n", "\n", "\n", " or", " and", "+", "\\", ".", ",", "=",
     ":", "::", "||", "&&", "|", "&", "%", "?", "pass", "return", "#", "\u00a0", "\r", "(()())", ")("]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=80))
def test_continued_lines_are_the_plain_definition(parts: list[str]) -> None:
    text = "".join(parts)
    code = text.split("\n")
    for kinds, want in (
        (frozenset({"python"}), _plain_code(code, True)),
        (frozenset({"javascript"}), _plain_code(code, False)),
        (frozenset({"shell"}), _plain_backslash(code, False)),
        (frozenset({"dockerfile"}), _plain_backslash(code, True)),
        (frozenset({"markdown"}), [False] * len(code)),
    ):
        assert continuations(code, text, kinds) == [i for i, c in enumerate(want) if c], kinds


def test_a_statement_is_cut_after_the_line_limit() -> None:
    code = ["call("] + ["  arg,"] * 30 + [")"]
    got = continuations(code, "\n".join(code), frozenset({"python"}))
    assert got == [i for i, c in enumerate(_plain_code(code, True)) if c]
    assert len(got) < len(code) - 1  # an unbalanced bracket does not glue the whole file together


_BODY_LINES = st.sampled_from(["+a", "+", "++b", "-c", "-", "--d", " e", "", "\\ No newline at end of file"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_BODY_LINES, min_size=1, max_size=12), min_size=1, max_size=4))
def test_side_text_is_the_prefixed_lines_without_their_prefix(hunks: list[list[str]]) -> None:
    f = FileDiff(FileStatus.MODIFIED, "x.py", "x.py")
    f.hunks = [Hunk(1, 1, 1, 1, "", "\n".join(lines)) for lines in hunks]
    for prefix in "+-":
        text, segs = statements._side_text(f, prefix)
        per_hunk = [[ln[1:] for ln in lines if ln.startswith(prefix)] for lines in hunks]
        assert text == "\n".join(ln for lines in per_hunk for ln in lines)
        firsts, at = [], 0
        for lines in per_hunk:
            if lines:
                firsts.append(at)
                at += len(lines)
        assert [first for first, _ in segs] == firsts


def test_patterns_that_need_a_non_ascii_character_are_recognised() -> None:
    """Such patterns are not run over ASCII text (no match is possible there); when unsure, they run."""
    assert needs_non_ascii("[\u200b-\u200f\u202a-\u202e]")
    assert needs_non_ascii("(?<![\u00a9\u00ae])[\ufe0e\ufe0f]")
    assert needs_non_ascii("x?(?:\u00e9|\u00fc)+")
    for unsure in ("\u00e9|foo", "(?i)\u212a", "(?i:\u00e9)", "[^a]", "x*\u00e9{0,2}", "\\w", "(unclosed"):
        assert not needs_non_ascii(unsure), unsure
