"""Where the reviewer is, by identity: a file path, a side and a line number, and the cursor's place on
screen. A new view of the diff (``W``, ``x``, ``X``, the interdiff) has different rows; the anchor finds
the same line again (or the nearest one shown, or the next file still in the view) instead of reusing a
row number that now points into another file."""

from __future__ import annotations

from dataclasses import dataclass

from signoff.app.rows import RowModel


@dataclass(frozen=True)
class Anchor:
    path: str
    side: str
    #: None: the cursor is on a file or hunk header.
    line: int | None
    #: Rows between the top of the view and the cursor (kept, so the screen does not jump).
    offset: int
    #: Paths of the files after this one, in the old view's order (where to go if it is gone).
    following: tuple[str, ...] = ()


def anchor_at(model: RowModel, cursor: int, top: int) -> Anchor | None:
    """The anchor of row ``cursor`` when the view starts at row ``top``."""
    if not len(model):
        return None
    fi = model.file_of(cursor)
    old, new = model.lines_at(cursor)
    if new is not None and new.new_no is not None:
        side, line = "new", new.new_no
    elif old is not None and old.old_no is not None:
        side, line = "old", old.old_no
    else:
        side, line = "new", None
    following = tuple(f.path for f in model.files[fi + 1 : fi + 200])
    return Anchor(model.files[fi].path, side, line, cursor - top, following)


def row_of(model: RowModel, anchor: Anchor) -> int:
    """The row of the anchor's line in ``model``: the line itself, else the nearest hunk of its file,
    else its file's header, else the next file that is still there, else the last row."""
    fi = model.file_index(anchor.path)
    if fi is None:
        for path in anchor.following:
            fi = model.file_index(path)
            if fi is not None:
                return model.file_starts[fi]
        return max(0, len(model) - 1)
    if anchor.line is None or model.collapsed(fi):
        return model.file_starts[fi]
    exact = model.row_for_line(fi, anchor.line, anchor.side)
    if exact is not None:
        return exact
    hunks = model.files[fi].hunks
    rows = model.hunk_rows(fi)
    if not hunks or not rows:
        return model.file_starts[fi]

    def distance(i: int) -> int:
        h = hunks[i]
        start, count = (h.new_start, h.new_count) if anchor.side == "new" else (h.old_start, h.old_count)
        line = anchor.line or 0
        return 0 if start <= line < start + count else min(abs(line - start), abs(line - start - count))

    return rows[min(range(len(rows)), key=distance)]
