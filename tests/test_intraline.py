"""Intraline emphasis for paired removed/added lines."""

from __future__ import annotations

from signoff.diff.intraline import changed_spans, hunk_spans, pair_lines
from signoff.diff.model import Hunk


def test_changed_word_only() -> None:
    old, new = "cursor.execute(query, (user_id,))", "cursor.execute(query % user_id)"
    o, n = changed_spans(old, new)
    assert [old[a:b] for a, b in o] == [",", "(", ",", ")"]
    assert [new[a:b] for a, b in n] == ["% "]


def test_identical_and_unrelated() -> None:
    assert changed_spans("same", "same") == ([], [])
    assert changed_spans("alpha beta gamma", "1 + 2 == 3;") == ([], [])


def test_long_lines_fall_back_to_prefix_suffix() -> None:
    old = "x" * 1000 + "A" + "y" * 10
    new = "x" * 1000 + "BB" + "y" * 10
    assert changed_spans(old, new) == ([(1000, 1001)], [(1000, 1002)])


def test_pairs_and_hunk_spans() -> None:
    h = Hunk(1, 3, 1, 3, "", " keep\n-x = 1\n-y = 2\n+x = 10\n+y = 2  # same\n+z = 3")
    lines = h.lines
    assert pair_lines(lines) == [(1, 3), (2, 4)]
    spans = hunk_spans(h.lines)
    assert [lines[3].text[a:b] for a, b in spans[3]] == ["10"]
    assert [lines[1].text[a:b] for a, b in spans[1]] == ["1"]
    assert 5 not in spans
