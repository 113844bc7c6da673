"""The flat row model behind the diff view: file headers, hunk headers and lines, computed lazily.

Row counts per file come from ``str.count`` over hunk bodies, so a 500,000-line diff is laid out in a
few milliseconds; a hunk's lines are split and numbered only when one of its rows is drawn (LRU cache).
Unified rows map one-to-one onto hunk body lines (``\\ No newline`` lines included); side-by-side rows
pair each run of removed lines with the added run after it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from enum import IntEnum

from signoff.diff.model import Diff, FileDiff, Hunk, Line, body_lines, side_by_side


class RowKind(IntEnum):
    FILE = 0
    INFO = 1
    HUNK = 2
    LINE = 3  # unified: one body line
    PAIR = 4  # side by side: left and/or right line


@dataclass(slots=True)
class Row:
    kind: RowKind
    file: int
    hunk: int = -1
    #: unified: index into the hunk's body lines; side by side: index into the hunk's pairs.
    index: int = -1


#: A run of removed lines and, when one follows, the run of added lines beside it (``\\`` lines inside
#: either run). No required tail, so a long run never backtracks.
_CHANGE_RUN = re.compile(r"^-[^\n]*(?:\n[-\\][^\n]*)*(?:\n(\+[^\n]*(?:\n[+\\][^\n]*)*))?", re.MULTILINE)


def pair_count(hunk: Hunk) -> int:
    """``len(side_by_side(body_lines(hunk)))`` without splitting the hunk (regex scans at C speed).

    Rows = body lines - ``\\`` lines - the lines saved by putting each removed run beside the added run
    after it (the shorter of the two).
    """
    body = hunk.body
    if not body:
        return 0
    n = body.count("\n") + 1 - body.count("\n\\") - body.startswith("\\")
    if "\n+" not in body:
        return n
    count = body.count
    for m in _CHANGE_RUN.finditer(body):
        a0 = m.start(1)
        if a0 >= 0:
            n -= min(count("\n-", m.start(), a0) + 1, count("\n+", a0, m.end()) + 1)
    return n


def pair_counts(diff: Diff) -> dict[int, int]:
    """Side-by-side row counts of every hunk, by ``id(hunk)`` (for :meth:`RowModel.add_pair_counts`)."""
    return {id(h): pair_count(h) for f in diff.files for h in f.hunks}


def extends(shown: list[FileDiff], files: list[FileDiff]) -> bool:
    """``files`` starts with the very file objects ``shown`` (a streamed diff's next part)."""
    return len(files) >= len(shown) and all(a is b for a, b in zip(shown, files, strict=False))


def _count_lines(hunk: Hunk) -> int:
    return hunk.body.count("\n") + 1 if hunk.body else 0


def file_info(f: FileDiff) -> str | None:
    """The one-line note shown for a file without (displayable) hunks, or None."""
    if f.binary:
        return "binary file — not shown"
    if f.too_large:
        return f"file too large to show (+{f.added} −{f.removed})"
    if f.is_submodule and not f.hunks:
        return "submodule change"
    if not f.hunks:
        if f.mode_changed:
            return f"mode change {f.old_mode} → {f.new_mode}"
        if f.status in ("renamed", "copied"):
            return f"{f.status} without content change"
        return "no content change (empty file)"
    return None


class RowModel:
    """Maps row numbers to (file, hunk, line) for the whole diff, in unified or side-by-side layout."""

    def __init__(self, diff: Diff, side_by_side: bool = False, cache_hunks: int = 2048) -> None:
        self.diff = diff
        self.files = diff.files
        self.side_by_side = side_by_side
        self._body_cache: OrderedDict[tuple[int, int], list[Line]] = OrderedDict()
        self._pair_cache: OrderedDict[tuple[int, int], list[tuple[int | None, int | None]]] = OrderedDict()
        self._cache_size = cache_hunks
        self._hunk_rows: dict[int, list[int]] = {}
        #: Side-by-side row count per hunk (by ``id``; the diff keeps its hunks alive).
        self._pair_counts: dict[int, int] = {}
        self._infos = [file_info(f) for f in self.files]
        #: Files shown as their header row only (marked reviewed: "viewed" collapses).
        self._collapsed: set[int] = set()
        #: Rows of each expanded file, by layout (False: unified, True: side by side); a relayout after
        #: a collapse is then one pass over the files, not over every hunk.
        self._file_rows: dict[bool, list[int]] = {}
        self._relayout()

    # -- layout ----------------------------------------------------------------------------------------

    def _hunk_len(self, fi: int, hi: int) -> int:
        hunk = self.files[fi].hunks[hi]
        if self.side_by_side:
            n = self._pair_counts.get(id(hunk))
            if n is None:
                n = self._pair_counts[id(hunk)] = pair_count(hunk)
            return n
        return _count_lines(hunk)

    def _file_len(self, fi: int) -> int:
        f = self.files[fi]
        n = 1 + (1 if self._infos[fi] else 0)
        for hi in range(len(f.hunks)):
            n += 1 + self._hunk_len(fi, hi)
        return n

    def _relayout(self) -> None:
        self._hunk_rows.clear()
        rows = self._file_rows.get(self.side_by_side)
        if rows is None:
            rows = self._file_rows[self.side_by_side] = [self._file_len(fi) for fi in range(len(self.files))]
        collapsed = self._collapsed
        starts = []
        total = 0
        for fi, n in enumerate(rows):
            starts.append(total)
            total += 1 if fi in collapsed else n
        self.file_starts = starts
        self.total = total

    def extend(self, diff: Diff) -> None:
        """``diff`` holds this model's files and more after them (the next part of a streamed diff): the
        new files get rows after the last; no row before them moves."""
        n = len(self.files)
        self.diff = diff
        self.files = diff.files
        self._infos += [file_info(f) for f in self.files[n:]]
        rows = self._file_rows.get(self.side_by_side)
        self._file_rows = {}
        if rows is not None:
            self._file_rows[self.side_by_side] = rows + [
                self._file_len(fi) for fi in range(n, len(self.files))
            ]
        self._relayout()

    def add_pair_counts(self, counts: dict[int, int]) -> None:
        """Side-by-side row counts computed ahead (:func:`pair_counts`, in a worker thread)."""
        self._pair_counts.update(counts)
        self._file_rows.pop(True, None)

    def set_side_by_side(self, on: bool) -> None:
        if on != self.side_by_side:
            self.side_by_side = on
            self._relayout()

    def collapsed(self, fi: int) -> bool:
        return fi in self._collapsed

    def set_collapsed(self, fi: int, on: bool) -> bool:
        """Show file ``fi`` as its header only (or in full again); True when that changed the rows."""
        if (fi in self._collapsed) == on or not 0 <= fi < len(self.files):
            return False
        if on:
            self._collapsed.add(fi)
        else:
            self._collapsed.discard(fi)
        self._relayout()
        return True

    def collapse_only(self, indices: set[int]) -> bool:
        """Show exactly the files ``indices`` collapsed (one layout pass); True when that changed the rows."""
        wanted = {fi for fi in indices if 0 <= fi < len(self.files)}
        if wanted == self._collapsed:
            return False
        self._collapsed = wanted
        self._relayout()
        return True

    def __len__(self) -> int:
        return self.total

    def hunk_rows(self, fi: int) -> list[int]:
        """Absolute row of each hunk header in file ``fi``."""
        rows = self._hunk_rows.get(fi)
        if rows is None and fi in self._collapsed:
            rows = self._hunk_rows[fi] = []
        if rows is None:
            rows = []
            r = self.file_starts[fi] + 1 + (1 if self._infos[fi] else 0)
            for hi in range(len(self.files[fi].hunks)):
                rows.append(r)
                r += 1 + self._hunk_len(fi, hi)
            self._hunk_rows[fi] = rows
        return rows

    def file_of(self, row: int) -> int:
        return max(0, bisect_right(self.file_starts, row) - 1)

    def file_end(self, fi: int) -> int:
        return self.file_starts[fi + 1] if fi + 1 < len(self.files) else self.total

    def row(self, r: int) -> Row:
        fi = self.file_of(r)
        start = self.file_starts[fi]
        if r == start or fi in self._collapsed:
            return Row(RowKind.FILE, fi)
        if self._infos[fi] and r == start + 1:
            return Row(RowKind.INFO, fi)
        hrows = self.hunk_rows(fi)
        hi = bisect_right(hrows, r) - 1
        if r == hrows[hi]:
            return Row(RowKind.HUNK, fi, hi)
        return Row(RowKind.PAIR if self.side_by_side else RowKind.LINE, fi, hi, r - hrows[hi] - 1)

    def info(self, fi: int) -> str | None:
        return self._infos[fi]

    # -- content ---------------------------------------------------------------------------------------

    def body(self, fi: int, hi: int) -> list[Line]:
        key = (fi, hi)
        lines = self._body_cache.get(key)
        if lines is None:
            lines = body_lines(self.files[fi].hunks[hi])
            self._body_cache[key] = lines
            if len(self._body_cache) > self._cache_size:
                self._body_cache.popitem(last=False)
        else:
            self._body_cache.move_to_end(key)
        return lines

    def pairs(self, fi: int, hi: int) -> list[tuple[int | None, int | None]]:
        key = (fi, hi)
        p = self._pair_cache.get(key)
        if p is None:
            p = side_by_side(self.body(fi, hi))
            self._pair_cache[key] = p
            if len(self._pair_cache) > self._cache_size * 4:
                self._pair_cache.popitem(last=False)
        return p

    def lines_at(self, r: int) -> tuple[Line | None, Line | None]:
        """(old-side, new-side) body lines shown on row ``r`` (unified: the same line twice or one side)."""
        row = self.row(r)
        if row.kind is RowKind.LINE:
            ln = self.body(row.file, row.hunk)[row.index]
            if ln.kind == "+":
                return None, ln
            if ln.kind == "-":
                return ln, None
            if ln.kind == "\\":
                return None, None
            return ln, ln
        if row.kind is RowKind.PAIR:
            a, b = self.pairs(row.file, row.hunk)[row.index]
            body = self.body(row.file, row.hunk)
            return (body[a] if a is not None else None), (body[b] if b is not None else None)
        return None, None

    # -- lookup ----------------------------------------------------------------------------------------

    def row_of_body_line(self, fi: int, hi: int, index: int) -> int:
        base = self.hunk_rows(fi)[hi] + 1
        if not self.side_by_side:
            return base + index
        for j, (a, b) in enumerate(self.pairs(fi, hi)):
            if index in (a, b):
                return base + j
        # a "\ No newline" line: the row of the line before it
        return base + max(0, self._nearest_pair(fi, hi, index))

    def _nearest_pair(self, fi: int, hi: int, index: int) -> int:
        best = 0
        for j, (a, b) in enumerate(self.pairs(fi, hi)):
            if max(a if a is not None else -1, b if b is not None else -1) <= index:
                best = j
        return best

    def row_for_line(self, fi: int, line_no: int, side: str = "new") -> int | None:
        """The row showing new-side (or old-side) line ``line_no`` of file ``fi``, if it is in a hunk."""
        f = self.files[fi]
        if fi in self._collapsed:
            return None
        for hi, h in enumerate(f.hunks):
            start, count = (h.new_start, h.new_count) if side == "new" else (h.old_start, h.old_count)
            if start <= line_no < start + max(count, 1):
                for idx, ln in enumerate(self.body(fi, hi)):
                    if (ln.new_no if side == "new" else ln.old_no) == line_no:
                        return self.row_of_body_line(fi, hi, idx)
        return None

    def file_index(self, path: str) -> int | None:
        for i, f in enumerate(self.files):
            if path in (f.path, f.old_path, f.new_path):
                return i
        return None

    def find(self, needle: str, start_row: int, backwards: bool = False) -> int | None:
        """The next row after ``start_row`` (wrapping) whose text or path contains ``needle``, any case."""
        if not needle or not self.total:
            return None
        low = needle.lower()
        hits = self._hits_in_order(low, start_row, backwards)
        return next(hits, None)

    def _file_hit_rows(self, fi: int, low: str) -> list[int]:
        f = self.files[fi]
        rows: list[int] = []
        if low in f.path.lower() or (f.old_path and low in f.old_path.lower()):
            rows.append(self.file_starts[fi])
        if fi in self._collapsed:
            return rows
        for hi, h in enumerate(f.hunks):
            body = h.body.lower()
            if low not in body and low not in h.section.lower():
                continue
            if low in h.section.lower():
                rows.append(self.hunk_rows(fi)[hi])
            pos = body.find(low)
            seen: set[int] = set()
            while pos >= 0:
                line_idx = body.count("\n", 0, pos)
                if line_idx not in seen:
                    seen.add(line_idx)
                    rows.append(self.row_of_body_line(fi, hi, line_idx))
                nl = body.find("\n", pos)
                if nl < 0:
                    break
                pos = body.find(low, nl + 1)
        return sorted(set(rows))

    def _hits_in_order(self, low: str, start_row: int, backwards: bool):
        n = len(self.files)
        if not n:
            return
        f0 = self.file_of(start_row)
        order = (
            [(f0 + k) % n for k in range(n + 1)] if not backwards else [(f0 - k) % n for k in range(n + 1)]
        )
        for step, fi in enumerate(order):
            rows = self._file_hit_rows(fi, low)
            if not backwards:
                if step == 0:
                    rows = [r for r in rows if r > start_row]
                elif step == n:
                    rows = [r for r in rows if r <= start_row]
                yield from rows
            else:
                if step == 0:
                    rows = [r for r in rows if r < start_row]
                elif step == n:
                    rows = [r for r in rows if r >= start_row]
                yield from reversed(rows)

    def match_rows(self, needle: str, limit: int = 200_000) -> list[int]:
        """Every row whose text or path contains ``needle`` (any case), in order; at most ``limit``."""
        low = needle.lower()
        out: list[int] = []
        if not low:
            return out
        for fi in range(len(self.files)):
            out.extend(self._file_hit_rows(fi, low))
            if len(out) >= limit:
                break
        return out

    def max_line_number(self) -> int:
        best = 1
        for f in self.files:
            for h in f.hunks:
                best = max(best, h.old_start + h.old_count, h.new_start + h.new_count)
        return best
