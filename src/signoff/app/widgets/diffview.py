"""DiffView: the whole diff as one virtual list of rows, drawn line by line (Textual's line API).

Only visible rows are rendered, each into a cached :class:`Strip`. Repository text is never parsed as
markup: segments are built directly, and every control, escape or bidi/zero-width character is drawn
as a highlighted placeholder (``<ESC>``, ``<RLO>``, ``^M``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pygments.lexer import Lexer
from textual import events, work
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer

from signoff.app.actions import bindings
from signoff.app.analysis import AiView
from signoff.app.rows import RowModel
from signoff.app.widgets.diffpaint import MAX_TOKENISE_LINES, DiffPainter
from signoff.app.widgets.redraw import content_width, refresh_rows, set_virtual_size
from signoff.app.widgets.rowtext import TAB
from signoff.diff import highlight
from signoff.diff.model import body_lines

#: Files with at most this many lines a side are highlighted whole before any of their rows is coloured
#: (one repaint); longer ones are coloured line by line on screen until the whole file is done.
QUICK_TOKENISE_LINES = 2000
#: Files whose tokens are kept.
TOKENISED_FILES = 256
#: Seconds the view must be still before rows off screen are drawn ahead; seconds of drawing at a time,
#: and the pause between (keys are handled in the pauses).
AHEAD_DELAY, AHEAD_SLICE, AHEAD_PAUSE = 0.05, 0.008, 0.002


class DiffView(DiffPainter, can_focus=True):
    """The diff, unified or side by side, with highlighting, intraline emphasis and AI marks."""

    DEFAULT_CSS = """
    DiffView { background: $surface; overflow-x: auto; overflow-y: auto; }
    """

    BINDINGS = bindings("diff")

    class CursorMoved(Message):
        def __init__(self, view: DiffView, row: int, *, through: bool = False) -> None:
            super().__init__()
            self.view = view
            self.row = row
            #: The cursor stepped here line by line or page by page (j/k, pgdn, ctrl+d), passing
            #: every row in between; False for jumps (hunk, file, hit, search, click).
            self.through = through

    class Tokenised(Message):
        def __init__(
            self, generation: int, fi: int, lexer: Lexer, old: dict[int, tuple], new: dict[int, tuple]
        ) -> None:
            super().__init__()
            self.generation = generation
            self.fi = fi
            self.lexer = lexer
            self.old = old
            self.new = new

    class LexerFound(Message):
        def __init__(self, generation: int, fi: int, lexer: Lexer | None) -> None:
            super().__init__()
            self.generation = generation
            self.fi = fi
            self.lexer = lexer

    # -- data --------------------------------------------------------------------------------------

    def set_model(self, model: RowModel) -> None:
        self.model = model
        self._num_width = max(3, len(str(model.max_line_number())))
        self._lexers.clear()
        self._lexing.clear()
        self._tokens.clear()
        self._intraline.clear()
        self._partners.clear()
        self._file_state.clear()
        self.select_anchor = None
        self._relayout()
        self._invalidate()
        self.cursor = 0
        self.post_message(self.CursorMoved(self, 0))

    def model_grew(self) -> None:
        """The model has more files after those shown (a streamed diff's next part): rows shown stay."""
        if self.model is None:
            return
        width = max(3, len(str(self.model.max_line_number())))
        if width > self._num_width:  # a wider gutter: every row is drawn again
            self._num_width = width
            self._invalidate()
        self._relayout()

    def set_ai(self, ai: AiView) -> None:
        self.ai = ai
        self._invalidate()

    def set_max_line_length(self, n: int) -> None:
        self._max_len = max(n, 20)
        self._relayout()

    def set_side_by_side(self, on: bool) -> None:
        if self.model is None or self.model.side_by_side == on:
            return
        keep = self.location()
        self.model.set_side_by_side(on)
        self._relayout()
        self._invalidate()  # hunk headers are drawn differently side by side
        if keep:
            fi, side, no = keep
            r = self.model.row_for_line(fi, no, side) if no else None
            self.goto_row(r if r is not None else self.model.file_starts[fi], center=True)

    def _relayout(self) -> None:
        rows = len(self.model) if self.model else 1
        width = self.scrollable_content_region.width if self.is_mounted else 80
        if self.side_by_side:
            set_virtual_size(self, Size(width, rows))
        else:
            set_virtual_size(self, Size(self._gutter_width() + self._max_len + 1, rows))
        self.refresh()  # rows moved; the cache is keyed by what a row shows, so it stays valid

    # -- theme -------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.watch(self.app, "theme", lambda _old=None, _new=None: self._reset_palette(), init=False)

    # -- highlighting workers ----------------------------------------------------------------------

    def _request_tokens(self, fi: int) -> None:
        """Highlight file ``fi`` in the background, and the files around it (the next keys likely
        show them)."""
        if self.model is None:
            return
        for f in (fi, fi + 1, fi + 2, fi + 3, fi - 1):
            if 0 <= f < len(self.model.files) and f not in self._lexing and f not in self._lexers:
                self._lexing.add(f)
                self._tokenise(self._generation_key(), f)

    def _generation_key(self) -> int:
        return id(self.model)

    @work(thread=True, group="highlight")
    def _tokenise(self, gen: int, fi: int) -> None:
        model = self.model
        if model is None:
            return
        f = model.files[fi]
        bodies = [body_lines(h) for h in f.hunks]
        first = ""
        for lines in bodies[:1]:
            for ln in lines[:1]:
                if ln.new_no == 1 or ln.old_no == 1:
                    first = ln.text
        lexer = highlight.lexer_for(f.path, first)
        old_lines = [(ln.old_no, ln.text) for b in bodies for ln in b if ln.old_no is not None]
        new_lines = [(ln.new_no, ln.text) for b in bodies for ln in b if ln.new_no is not None]
        longest = max(len(old_lines), len(new_lines))
        if lexer is None or longest > QUICK_TOKENISE_LINES:
            # lines on screen are highlighted one by one until the whole file's tokens arrive
            self.post_message(self.LexerFound(gen, fi, lexer))
        if lexer is None or longest > MAX_TOKENISE_LINES:
            return
        old_tok = highlight.tokenize(lexer, [t for _, t in old_lines])
        new_tok = highlight.tokenize(lexer, [t for _, t in new_lines])
        old_map = {no: tok for (no, _), tok in zip(old_lines, old_tok, strict=True)}
        new_map = {no: tok for (no, _), tok in zip(new_lines, new_tok, strict=True)}
        self.post_message(self.Tokenised(gen, fi, lexer, old_map, new_map))

    def on_diff_view_lexer_found(self, msg: LexerFound) -> None:
        msg.stop()
        if msg.generation == self._generation_key():
            self._lexers[msg.fi] = msg.lexer
            self._redraw_file(msg.fi)

    def on_diff_view_tokenised(self, msg: Tokenised) -> None:
        msg.stop()
        if msg.generation == self._generation_key():
            self._lexers[msg.fi] = msg.lexer
            self._tokens[msg.fi] = (msg.old, msg.new)
            if len(self._tokens) > TOKENISED_FILES:  # the oldest is highlighted again if drawn again
                old = next(iter(self._tokens))
                del self._tokens[old]
                self._lexers.pop(old, None)
                self._lexing.discard(old)
            self._redraw_file(msg.fi)
            self._draw_ahead_soon()

    def _redraw_file(self, fi: int) -> None:
        """The highlighting of file ``fi`` changed: repaint its rows on screen (if any)."""
        self._file_state[fi] = self._file_state.get(fi, 0) + 1
        if self.model is None or not len(self.model):
            return
        top = int(self.scroll_y)
        bottom = min(len(self.model), top + (self.scrollable_content_region.height or 0))
        if top >= bottom or not self.model.file_of(top) <= fi <= self.model.file_of(bottom - 1):
            return
        start, end = self.model.file_starts[fi], self.model.file_end(fi)
        refresh_rows(self, range(max(start, top), min(end, bottom)))

    # -- cursor and navigation ---------------------------------------------------------------------

    # -- drawing ahead ---------------------------------------------------------------------------------

    def _draw_ahead_soon(self) -> None:
        """Once the view has been still for ``AHEAD_DELAY``, draw the rows the next keys will show."""
        if self._ahead_timer is not None:
            self._ahead_timer.stop()
        self._ahead = None
        self._ahead_timer = self.set_timer(AHEAD_DELAY, self._draw_ahead)

    _ahead_timer: Timer | None = None
    _ahead: Iterator[int] | None = None

    def _rows_ahead(self) -> Iterator[int]:
        """The next screen (PgDn), the next file's first screen (r, }), the screen of the next jump the
        screen names (``.``: the question's next hit), the previous screen (PgUp)."""
        model = self.model
        if model is None or not len(model):
            return
        n, top = len(model), int(self.scroll_y)
        height = self.scrollable_content_region.height or 1
        yield from range(top + height, min(n, top + 2 * height))
        nxt = model.file_of(min(top, n - 1)) + 1
        if nxt < len(model.files):
            start = model.file_starts[nxt]
            yield from range(start, min(n, start + height))
        jump = self.next_jump() if self.next_jump is not None else None
        if jump is not None and 0 <= jump < n:
            start = max(0, jump - height // 3)  # as goto_row(center=True) will show it
            yield from range(start, min(n, start + height))
        yield from range(max(0, top - height), top)

    #: The row the screen's next jump would show (the question's next hit), or None: drawn ahead too.
    next_jump: Callable[[], int | None] | None = None

    def _draw_ahead(self) -> None:
        """Draw rows ahead into the cache, ``AHEAD_SLICE`` seconds at a time (a key waits at most that)."""
        self._ahead_timer = None
        model = self.model
        if model is None or not self.is_mounted:
            return
        if self._ahead is None:
            self._ahead = self._rows_ahead()
        scroll_x, width = self.scroll_offset.x, content_width(self)
        end = time.perf_counter() + AHEAD_SLICE
        for row in self._ahead:
            fi = model.file_of(row)
            if fi not in self._lexers:  # not highlighted yet: drawn once its tokens are here
                self._request_tokens(fi)
                continue
            self._strip(row, scroll_x, width, ahead=True)
            if time.perf_counter() > end:
                self._ahead_timer = self.set_timer(AHEAD_PAUSE, self._draw_ahead)
                return
        self._ahead = None

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._draw_ahead_soon()

    def watch_cursor(self, old: int, new: int) -> None:
        # only the rows whose look changed: the two cursor rows, and the selection between them
        anchor = self.select_anchor
        if anchor is not None:
            refresh_rows(self, range(min(old, new, anchor), max(old, new, anchor) + 1))
        else:
            refresh_rows(self, (old, new))
        if self.follow is not None:
            self.follow(new)
        self.post_message(self.CursorMoved(self, new, through=self._stepping))
        self._stepping = False
        self._draw_ahead_soon()

    #: Called as soon as the cursor moves (before the frame is drawn): what shows the cursor's file
    #: elsewhere (the sticky header, the file list) changes in the same frame as the rows.
    follow: Callable[[int], None] | None = None

    def on_focus(self) -> None:
        refresh_rows(self, (self.cursor,))

    def on_blur(self) -> None:
        refresh_rows(self, (self.cursor,))

    def goto_row(self, r: int, *, center: bool = False) -> None:
        if self.model is None or not len(self.model):
            return
        r = max(0, min(r, len(self.model) - 1))
        self.cursor = r
        self._scroll_to_cursor(center=center)

    def _scroll_to_cursor(self, center: bool = False) -> None:
        height = self.scrollable_content_region.height or 1
        top = int(self.scroll_y)
        if center:
            self.scroll_to(y=max(0, self.cursor - height // 3), animate=False, immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self._stepping = True
        self.goto_row(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        height = self.scrollable_content_region.height or 1
        if self.model is None:
            return
        self._stepping = True
        new_top = max(0, min(int(self.scroll_y) + delta * (height - 1), len(self.model) - height))
        self.scroll_to(y=new_top, animate=False, immediate=True)
        self.cursor = max(0, min(self.cursor + delta * (height - 1), len(self.model) - 1))
        self._scroll_to_cursor()

    def action_half_page(self, delta: int) -> None:
        """Move the cursor (and the view) half a screen: ctrl+d / ctrl+u."""
        if self.model is None:
            return
        half = max(1, (self.scrollable_content_region.height or 2) // 2)
        self._stepping = True
        top = max(0, min(int(self.scroll_y) + delta * half, max(0, len(self.model) - 1)))
        self.scroll_to(y=top, animate=False, immediate=True)
        self.cursor = max(0, min(self.cursor + delta * half, len(self.model) - 1))
        self._scroll_to_cursor()

    def set_collapsed(self, fi: int, on: bool) -> bool:
        """Collapse file ``fi`` to its header row (or expand it), keeping the cursor on its file."""
        if self.model is None or not 0 <= fi < len(self.model.files):
            return False
        cur = self.model.file_of(self.cursor) if len(self.model) else 0
        offset = self.cursor - self.model.file_starts[cur] if len(self.model) else 0
        if not self.model.set_collapsed(fi, on):
            return False
        self._relayout()
        self.goto_row(self.model.file_starts[cur] + (0 if cur == fi else offset))
        return True

    def comment_rows(self) -> list[int]:
        """Rows of the lines that carry a line comment (the gutter marks them)."""
        if self.model is None:
            return []
        rows = []
        for path, side, no in self.commented_lines():
            fi = self.model.file_index(path)
            r = self.model.row_for_line(fi, no, side) if fi is not None else None
            if r is not None:
                rows.append(r)
        return sorted(rows)

    def refresh_comments(self) -> None:
        """The comments changed: redraw their gutter marks."""
        self._commented = self.commented_lines()
        self._invalidate()

    def commented_lines(self) -> set[tuple[str, str, int]]:
        """(path, side, line) of every commented line; the screen supplies ``comments``."""
        out: set[tuple[str, str, int]] = set()
        for c in self.comments():
            out.update((c.path, c.side, n) for n in range(c.start, c.end + 1))
        return out

    def action_top(self) -> None:
        self.goto_row(0)

    def action_bottom(self) -> None:
        if self.model:
            self.goto_row(len(self.model) - 1)

    def action_hscroll(self, delta: int) -> None:
        if not self.side_by_side:
            self.scroll_to(x=max(0, self.scroll_x + delta), animate=False, immediate=True)
        else:
            self.scroll_to(x=max(0, self.scroll_x + delta), animate=False, immediate=True)
            self._invalidate()

    def action_toggle_selection(self) -> None:
        self.select_anchor = None if self.select_anchor is not None else self.cursor
        self._invalidate()

    def current_file(self) -> int | None:
        if self.model is None or not len(self.model):
            return None
        return self.model.file_of(self.cursor)

    def next_hunk(self, delta: int) -> None:
        if self.model is None or not self.model.files:
            return
        heads = self._hunk_rows_near(delta)
        if heads is not None:
            self.goto_row(heads, center=True)

    def _hunk_rows_near(self, delta: int) -> int | None:
        assert self.model is not None
        fi = self.model.file_of(self.cursor)
        n = len(self.model.files)
        for step in range(n):
            f = (fi + step * delta) % n
            rows = self.model.hunk_rows(f) or [self.model.file_starts[f]]
            if step == 0:
                cand = [r for r in rows if (r > self.cursor if delta > 0 else r < self.cursor)]
            else:
                cand = rows
            if cand:
                return cand[0] if delta > 0 else cand[-1]
            if step == 0 and delta < 0 and self.cursor > self.model.file_starts[f]:
                return self.model.file_starts[f]
        return None

    def next_file(self, delta: int) -> None:
        if self.model is None or not self.model.files:
            return
        fi = self.model.file_of(self.cursor)
        start = self.model.file_starts[fi]
        if delta < 0 and self.cursor > start:
            target = fi
        else:
            target = (fi + delta) % len(self.model.files)
        self.goto_file(target)

    def goto_file(self, fi: int) -> None:
        if self.model is None:
            return
        r = self.model.file_starts[fi]
        self.cursor = r
        self.scroll_to(y=r, animate=False, immediate=True)

    def goto_line(self, path: str, line: int, side: str = "new") -> bool:
        if self.model is None:
            return False
        fi = self.model.file_index(path)
        if fi is None:
            return False
        if line:
            self.set_collapsed(fi, False)  # a collapsed (viewed) file opens to show the line
        r = self.model.row_for_line(fi, line, side) if line else None
        self.goto_row(r if r is not None else self.model.file_starts[fi], center=True)
        return r is not None

    def set_search(self, term: str) -> None:
        """Highlight ``term`` (any case) in the drawn lines."""
        if term != self.search_term:
            self.search_term = term
            self._invalidate()

    def action_hscroll_home(self) -> None:
        self.scroll_to(x=0, animate=False, immediate=True)
        self._invalidate()

    def show_column(self, text: str, col: int, length: int) -> None:
        """Scroll sideways so characters ``col .. col+length`` of the cursor line ``text`` are in view."""
        start = len(text[:col].expandtabs(TAB)) if len(text) <= 4000 else col
        view = self.scrollable_content_region.width - (self._gutter_width() if not self.side_by_side else 0)
        if self.side_by_side:
            view = view // 2 - self._gutter_width() // 2
        view = max(10, view)
        if start + length <= view:
            x = 0  # fits without scrolling: show the line from its start
        elif self.scroll_x <= start and start + length <= self.scroll_x + view:
            return
        else:
            x = max(0, start - view // 3)
        if x != self.scroll_x:
            self.scroll_to(x=x, animate=False, immediate=True)
            self._invalidate()

    def location(self) -> tuple[int, str, int | None] | None:
        """(file index, side, line number) under the cursor."""
        if self.model is None or not len(self.model):
            return None
        fi = self.model.file_of(self.cursor)
        old, new = self.model.lines_at(self.cursor)
        if new is not None and new.new_no is not None:
            return fi, "new", new.new_no
        if old is not None and old.old_no is not None:
            return fi, "old", old.old_no
        return fi, "new", None

    def line_numbers(self, start: int, end: int) -> tuple[int | None, str, list[int]]:
        """File index, side, and line numbers shown on rows ``start..end`` (new side preferred)."""
        assert self.model is not None
        fi = self.model.file_of(start)
        new_nos: list[int] = []
        old_nos: list[int] = []
        for r in range(start, end + 1):
            if self.model.file_of(r) != fi:
                break
            old, new = self.model.lines_at(r)
            if new is not None and new.new_no is not None:
                new_nos.append(new.new_no)
            if old is not None and old.old_no is not None:
                old_nos.append(old.old_no)
        if new_nos:
            return fi, "new", new_nos
        return (fi, "old", old_nos) if old_nos else (fi, "new", [])

    def selected_lines(self) -> LineSpan | None:
        """The selection (or the cursor's line) as a path, side and line range; None off the diff's lines."""
        if self.model is None:
            return None
        start, end = self.selection() or (self.cursor, self.cursor)
        fi, side, nos = self.line_numbers(start, end)
        if fi is None or not nos:
            return None
        f = self.model.files[fi]
        path = f.new_path if side == "new" and f.new_path else (f.old_path or f.path)
        blob = f.new_blob if side == "new" else f.old_blob
        return LineSpan(path, side, min(nos), max(nos), blob)

    def visible_rows(self) -> range:
        top = int(self.scroll_y)
        return range(top, top + (self.scrollable_content_region.height or 0))

    # -- mouse -------------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.model is None:
            return
        r = int(self.scroll_y) + offset.y
        if 0 <= r < len(self.model):
            if event.shift and self.select_anchor is None:
                self.select_anchor = self.cursor
            self.cursor = r
            self._invalidate()

    def on_resize(self, _event: events.Resize) -> None:
        self._relayout()


@dataclass(frozen=True)
class LineSpan:
    """Lines ``start..end`` on ``side`` of ``path`` (``blob``: that side's blob, if known)."""

    path: str
    side: str
    start: int
    end: int
    blob: str | None
