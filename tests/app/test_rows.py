"""The diff view's lazy row model (no Textual needed)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from signoff.app.rows import RowKind, RowModel, pair_count, pair_counts
from signoff.diff.model import Hunk, body_lines, side_by_side
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target


def _model(repo: Path) -> RowModel:
    git = open_repo(repo)
    return RowModel(load_diff(git, resolve_target(git, "main..feature")))


def test_unified_rows_cover_every_body_line(review_repo: Path) -> None:
    model = _model(review_repo)
    expected = sum(1 + (1 if model.info(i) else 0) for i in range(len(model.files)))
    expected += sum(1 + h.body.count("\n") + 1 for f in model.files for h in f.hunks)
    assert len(model) == expected
    kinds = [model.row(r).kind for r in range(len(model))]
    assert kinds[0] is RowKind.FILE
    assert kinds.count(RowKind.FILE) == len(model.files)
    assert kinds.count(RowKind.HUNK) == sum(len(f.hunks) for f in model.files)


def test_row_for_line_and_lines_at_agree(review_repo: Path) -> None:
    model = _model(review_repo)
    fi = model.file_index("app.py")
    assert fi is not None
    for sbs in (False, True):
        model.set_side_by_side(sbs)
        r = model.row_for_line(fi, 8, "new")
        assert r is not None
        _old, new = model.lines_at(r)
        assert new is not None and new.new_no == 8 and "os.system" in new.text
        assert model.file_of(r) == fi


def test_side_by_side_pairs_removed_with_added() -> None:
    h = Hunk(1, 3, 1, 3, "", " a\n-b\n-c\n+B\n d\n\\ No newline at end of file")
    body = body_lines(h)
    assert [ln.kind for ln in body] == [" ", "-", "-", "+", " ", "\\"]
    assert side_by_side(body) == [(0, 0), (1, 3), (2, None), (4, 4)]
    assert body[4].old_no == 4 and body[4].new_no == 3


def test_find_wraps_and_goes_backwards(review_repo: Path) -> None:
    model = _model(review_repo)
    first = model.find("os.system", 0)
    assert first is not None
    assert model.find("os.system", first) == first  # wraps around to the only match
    assert model.find("SELECT", first, backwards=True) is not None
    assert model.find("no-such-text-anywhere", 0) is None


def test_deleted_file_has_rows_and_no_crash(review_repo: Path) -> None:
    model = _model(review_repo)
    fi = model.file_index("README.md")
    assert fi is not None
    assert model.files[fi].status == "deleted"
    r = model.hunk_rows(fi)[0] + 1
    old, new = model.lines_at(r)
    assert new is None and old is not None and old.text == "hello"


_LINE = st.tuples(
    st.sampled_from([" ", "-", "+", "\\", "-", "+", ""]), st.sampled_from(["", "x", "-y", "+z", "\\q"])
)


@given(st.lists(_LINE, max_size=14))
def test_pair_count_matches_pairing_the_lines(lines: list[tuple[str, str]]) -> None:
    body = "\n".join(k + t if k else "" for k, t in lines)
    h = Hunk(1, 1, 1, 1, "", body)
    assert pair_count(h) == len(side_by_side(body_lines(h)))


def test_side_by_side_layout_from_counts_made_ahead(review_repo: Path) -> None:
    lazy, ahead = _model(review_repo), _model(review_repo)
    ahead.add_pair_counts(pair_counts(ahead.diff))
    lazy.set_side_by_side(True)
    ahead.set_side_by_side(True)
    assert len(lazy) == len(ahead) and lazy.file_starts == ahead.file_starts
    for r in range(len(lazy)):  # every row resolves to a real pair
        row = lazy.row(r)
        if row.kind is RowKind.PAIR:
            assert 0 <= row.index < len(lazy.pairs(row.file, row.hunk))


def test_collapsed_files_lay_out_as_one_row_in_both_layouts(review_repo: Path) -> None:
    model = _model(review_repo)
    expanded: dict[bool, list[int]] = {}
    for sbs in (False, True):
        model.set_side_by_side(sbs)
        expanded[sbs] = [model.file_end(fi) - model.file_starts[fi] for fi in range(len(model.files))]
    some = {0, len(model.files) - 1}
    for sbs in (True, False, True):  # collapse, switch layouts, expand one again: the counts follow
        model.set_side_by_side(sbs)
        assert model.collapse_only(some) or model.collapsed(0)
        lens = [model.file_end(fi) - model.file_starts[fi] for fi in range(len(model.files))]
        assert lens == [1 if fi in some else n for fi, n in enumerate(expanded[sbs])]
        assert all(model.row(model.file_starts[fi]).kind is RowKind.FILE for fi in range(len(model.files)))
    model.set_collapsed(0, False)
    assert model.file_end(0) - model.file_starts[0] == expanded[True][0]
    assert len(model) == sum(expanded[True]) - expanded[True][-1] + 1
