"""Drawing the diff view's rows: palette from the theme, gutters, unified and side-by-side lines,
syntax tokens, intraline emphasis and placeholders for unsafe characters (never markup)."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pygments.lexer import Lexer
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.highlight import HighlightTheme
from textual.markup import parse_style
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from signoff.app.analysis import AiView
from signoff.app.rows import RowKind, RowModel
from signoff.app.safe import elide_middle
from signoff.app.widgets.redraw import content_width
from signoff.app.widgets.rowtext import expand_tabs, runs
from signoff.diff import highlight
from signoff.diff.intraline import Span, changed_spans, pair_lines
from signoff.diff.model import STATUS_MARK, Line
from signoff.util.sanitize import unsafe_spans, visible

#: Lines longer than this are drawn as the window around the scroll position (tabs as one space, no
#: syntax colours); the whole line is always reachable by scrolling sideways.
MAX_RENDER = 4000
#: Characters drawn either side of the visible part of a long line.
WINDOW_MARGIN = 64
#: Files with more lines than this per side are highlighted line by line only.
MAX_TOKENISE_LINES = 20_000
#: Drawn rows kept (a few screens each way at any terminal size).
CACHED_ROWS = 4000
AI_COLOUR = "#c061ff"


@dataclass
class Palette:
    bg: Color
    fg: Color
    added: Color
    added_emph: Color
    removed: Color
    removed_emph: Color
    gutter: Color
    file_bg: Color
    hunk_bg: Color
    hunk_fg: Color
    ai: Color
    unsafe_fg: Color
    unsafe_bg: Color
    cursor: Color
    selection: Color
    match: Color
    accent: Color


class DiffPainter(ScrollView):
    """The diff view's state and row rendering; :class:`~signoff.app.widgets.diffview.DiffView` adds
    navigation, highlighting workers and events."""

    #: No repaint of its own: moving the cursor repaints the two rows it left and reached.
    cursor: reactive[int] = reactive(0, always_update=False, init=False, repaint=False)

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.model: RowModel | None = None
        self.ai = AiView()
        self.placeholder = "Loading diff…"
        self.search_term = ""
        self.select_anchor: int | None = None
        #: The line comments to mark (the screen sets it: ``session.comments``).
        self.comments: Callable[[], list[Any]] = list
        #: (path, side, line) of the lines with a line comment: marked ✎ in the gutter.
        self._commented: set[tuple[str, str, int]] | None = None
        #: The cursor is moving through lines (j/k), not jumping: CursorMoved says so.
        self._stepping = False
        self._generation = 0
        #: Drawn rows, keyed by what they show: (row identity, view, cursor/selection/focus state, the
        #: view's generation, the file's highlighting state). A key that moves the cursor or collapses
        #: a file reuses every other row; only a global change (theme, AI marks, search) clears it.
        self._cache: OrderedDict[tuple, Strip] = OrderedDict()
        #: Per file: bumped when its lexer or tokens arrive (its rows are then drawn again).
        self._file_state: dict[int, int] = {}
        self._palette: Palette | None = None
        self._token_styles: dict[tuple, RichStyle] = {}
        self._token_colours: dict[Any, Style | None] = {}
        self._css_variables: dict[str, str] | None = None
        self._lexers: dict[int, Lexer | None] = {}
        self._lexing: set[int] = set()
        self._tokens: dict[int, tuple[dict[int, tuple], dict[int, tuple]]] = {}
        #: Per hunk, each paired line's pair (removed index, added index); per pair, its changed spans.
        self._partners: OrderedDict[tuple[int, int], dict[int, tuple[int, int]]] = OrderedDict()
        self._intraline: OrderedDict[tuple[int, int, int], tuple[list[Span], list[Span]]] = OrderedDict()
        self._num_width = 4
        self._max_len = 200

    @property
    def side_by_side(self) -> bool:
        return bool(self.model and self.model.side_by_side)

    def _gutter_width(self) -> int:
        return 1 + self._num_width + 1 + self._num_width + 1 + 2

    def _invalidate(self) -> None:
        self._generation += 1
        self._cache.clear()
        self.refresh()

    def selection(self) -> tuple[int, int] | None:
        if self.select_anchor is None:
            return None
        return (min(self.select_anchor, self.cursor), max(self.select_anchor, self.cursor))

    def _request_tokens(self, fi: int) -> None:
        """Start highlighting file ``fi`` in the background (the view's worker)."""
        raise NotImplementedError

    def _reset_palette(self) -> None:
        self._palette = None
        self._token_styles.clear()
        self._token_colours.clear()
        self._css_variables = None
        self._invalidate()

    def palette(self) -> Palette:
        if self._palette is None:
            v = self.app.get_css_variables()

            def c(name: str, default: str) -> Color:
                try:
                    return Color.parse(v.get(name, default))
                except Exception:
                    return Color.parse(default)

            bg = self.background_colors[1] if self.is_mounted else c("surface", "#1e1e1e")
            if bg.a == 0:
                bg = c("surface", "#1e1e1e")
            fg = c("foreground", "#e0e0e0")
            success, error, primary = c("success", "#4EBF71"), c("error", "#ba3c5b"), c("primary", "#0178D4")
            accent, warning = c("accent", "#ffa62b"), c("warning", "#ffa62b")
            self._palette = Palette(
                bg=bg,
                fg=fg,
                added=bg.blend(success, 0.16),
                added_emph=bg.blend(success, 0.42),
                removed=bg.blend(error, 0.16),
                removed_emph=bg.blend(error, 0.42),
                gutter=bg.blend(fg, 0.45),
                file_bg=bg.blend(primary, 0.35),
                hunk_bg=bg.blend(primary, 0.10),
                hunk_fg=bg.blend(primary, 0.9).blend(fg, 0.3),
                ai=Color.parse(AI_COLOUR),
                unsafe_fg=Color.parse("#ffffff"),
                unsafe_bg=error if error.brightness < 0.6 else Color.parse("#b00020"),
                cursor=accent,
                selection=primary,
                match=warning,
                accent=accent,
            )
        return self._palette

    def _style(
        self,
        bg: Color,
        fg: Color | None = None,
        *,
        bold: bool = False,
        dim: bool = False,
        italic: bool = False,
    ) -> RichStyle:
        key = ("plain", bg, fg, bold, dim, italic)
        st = self._token_styles.get(key)
        if st is None:
            st = Style(
                background=bg,
                foreground=fg or self.palette().fg,
                bold=bold or None,
                dim=dim or None,
                italic=italic or None,
            ).rich_style
            self._token_styles[key] = st
        return st

    def _tok_style(self, bg: Color, ttype) -> RichStyle:
        key = ("tok", bg, ttype)
        st = self._token_styles.get(key)
        if st is None:
            base = Style(background=bg, foreground=self.palette().fg)
            colour = self._token_colour(ttype)
            st = (base + colour if colour is not None else base).rich_style
            self._token_styles[key] = st
        return st

    def _token_colour(self, ttype) -> Style | None:
        """The theme's style for a token type (the app's CSS variables are read once per palette)."""
        if ttype in self._token_colours:
            return self._token_colours[ttype]
        spec = None
        if ttype is not None:
            for t in highlight.token_chain(ttype):
                spec = HighlightTheme.STYLES.get(t)
                if spec is not None:
                    break
        colour = None
        if spec:
            if self._css_variables is None:
                self._css_variables = self.app.get_css_variables()
            with contextlib.suppress(Exception):
                colour = parse_style(spec, self._css_variables)
        self._token_colours[ttype] = colour
        return colour

    # -- rendering ---------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = content_width(self)
        model = self.model
        if model is None or row >= len(model) or width <= 0:
            if model is None and y == 0:
                return Strip(
                    [Segment(self.placeholder, self._style(self.palette().bg, dim=True))]
                ).adjust_cell_length(width, self._style(self.palette().bg))
            return Strip.blank(width, self._style(self.palette().bg))
        return self._strip(row, scroll_x, width)

    def _strip(self, row: int, scroll_x: int, width: int, *, ahead: bool = False) -> Strip:
        """Row ``row`` drawn (or taken from the cache); ``ahead``: drawn before it is on screen."""
        sel = self.selection()
        selected = sel is not None and sel[0] <= row <= sel[1]
        is_cursor = row == self.cursor
        key = (*self._identity(row), scroll_x, width, is_cursor, selected, is_cursor and self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            if ahead:
                self.rows_drawn_ahead += 1
            else:
                self.rows_drawn += 1
            # same-looking neighbours joined: every frame that shows the row handles fewer segments
            strip = self._render_row(row, scroll_x, width, is_cursor, selected).simplify()
            self._cache[key] = strip
            if len(self._cache) > CACHED_ROWS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return strip

    #: Rows drawn when they came on screen (not taken from the cache): what keys really cost.
    rows_drawn = 0
    #: Rows drawn ahead, while the view was still (the next and previous screens, the next file's first).
    rows_drawn_ahead = 0

    def _identity(self, r: int) -> tuple:
        """What row ``r`` shows, independent of where it sits (collapsing a file moves rows, not this).

        File header rows also carry their reviewed mark and AI count, so marking a file redraws its header
        and nothing else."""
        assert self.model is not None
        row = self.model.row(r)
        fi = row.file
        state = (self._generation, self._file_state.get(fi, 0))
        if row.kind is RowKind.FILE:
            path = self.model.files[fi].path
            return (row.kind, fi, self.app_reviewed(path), self.ai.count(path), *state)
        return (row.kind, fi, row.hunk, row.index, *state)

    def _render_row(self, r: int, scroll_x: int, width: int, is_cursor: bool, selected: bool) -> Strip:
        assert self.model is not None
        p = self.palette()
        row = self.model.row(r)
        f = self.model.files[row.file]
        if row.kind is RowKind.FILE:
            bg = p.file_bg.blend(p.cursor, 0.35) if is_cursor else p.file_bg
            reviewed = self.app_reviewed(f.path)
            segs = [Segment(" ✔ " if reviewed else " ▶ ", self._style(bg, p.accent, bold=True))]
            segs.append(Segment(f"{STATUS_MARK.get(str(f.status), '?')} ", self._style(bg, bold=True)))
            room = max(16, width - 30)
            if len(visible(f.path)) > room:  # keep the file name: elide the directories
                segs.append(Segment(elide_middle(visible(f.path), room), self._style(bg, bold=True)))
            else:
                segs += self._safe_segments(f.path, self._style(bg, bold=True), bg)
            extra = []
            if f.old_path and f.new_path and f.old_path != f.new_path:
                extra.append(f"from {visible(f.old_path)}")
                if f.similarity is not None:
                    extra.append(f"{f.similarity}%")
            extra.append(f"+{f.added} −{f.removed}")
            n_ai = self.ai.count(f.path)
            segs.append(Segment("  " + "  ".join(extra), self._style(bg, p.fg.blend(bg, 0.25))))
            if n_ai:
                segs.append(Segment(f"  AI {n_ai}", self._style(bg, p.ai, bold=True)))
            return Strip(segs).adjust_cell_length(width, self._style(bg))
        if row.kind is RowKind.INFO:
            bg = p.bg.blend(p.cursor, 0.2) if is_cursor else p.bg
            text = self.model.info(row.file) or ""
            return Strip([Segment("    " + text, self._style(bg, p.gutter, italic=True))]).adjust_cell_length(
                width, self._style(bg)
            )
        if row.kind is RowKind.HUNK:
            h = f.hunks[row.hunk]
            bg = p.hunk_bg.blend(p.cursor, 0.3) if is_cursor else p.hunk_bg
            st = self._style(bg, p.hunk_fg)
            segs = [Segment(" " * (self._gutter_width() if not self.side_by_side else 1), st)]
            head = h.header
            segs += self._safe_segments(head, st, bg)
            return Strip(segs).adjust_cell_length(width, self._style(bg))
        if row.kind is RowKind.LINE:
            return self._render_unified(row.file, row.hunk, row.index, scroll_x, width, is_cursor, selected)
        return self._render_pair(row.file, row.hunk, row.index, width, is_cursor, selected, scroll_x)

    def app_reviewed(self, path: str) -> bool:
        checker = getattr(self.screen, "is_reviewed", None)
        return bool(checker and checker(path))

    def _line_bg(self, kind: str, is_cursor: bool, selected: bool) -> tuple[Color, Color]:
        p = self.palette()
        if kind == "+":
            bg, emph = p.added, p.added_emph
        elif kind == "-":
            bg, emph = p.removed, p.removed_emph
        else:
            bg, emph = p.bg, p.bg
        if selected:
            bg, emph = bg.blend(p.selection, 0.35), emph.blend(p.selection, 0.35)
        if is_cursor:
            amount = 0.30 if self.has_focus else 0.15
            bg, emph = bg.blend(p.cursor, amount), emph.blend(p.cursor, amount)
        return bg, emph

    def _gutter(self, ln: Line | None, bg: Color, fi: int, show_old: bool, show_new: bool) -> list[Segment]:
        p = self.palette()
        w = self._num_width
        g = self._style(bg, p.gutter)
        segs: list[Segment] = []
        reason = None
        if ln is not None and ln.kind == "+" and ln.new_no is not None:
            reason = self.ai.lines.get(self.model.files[fi].path, {}).get(ln.new_no) if self.model else None
        segs.append(Segment("▌" if reason else " ", self._style(bg, p.ai, bold=True)))
        if show_old:
            old = "" if ln is None or ln.old_no is None else str(ln.old_no)
            segs.append(Segment(old.rjust(w) + " ", g))
        if show_new:
            new = "" if ln is None or ln.new_no is None else str(ln.new_no)
            segs.append(Segment(new.rjust(w) + " ", self._style(bg, p.ai) if reason else g))
        sign = " " if ln is None else {"+": "+", "-": "-", "\\": " "}.get(ln.kind, " ")
        sign_fg = p.added_emph.blend(p.fg, 0.4) if sign == "+" else p.removed_emph.blend(p.fg, 0.4)
        mark = " "
        if ln is not None and self.model is not None and self._commented:
            path = self.model.files[fi].path
            side, no = ("old", ln.old_no) if ln.kind == "-" else ("new", ln.new_no)
            mark = "✎" if no is not None and (path, side, no) in self._commented else " "
        segs.append(Segment(sign, self._style(bg, sign_fg if sign != " " else p.gutter, bold=True)))
        segs.append(Segment(mark, self._style(bg, p.accent, bold=True)))
        return segs

    def _render_unified(
        self, fi: int, hi: int, idx: int, scroll_x: int, width: int, is_cursor: bool, selected: bool
    ) -> Strip:
        assert self.model is not None
        body = self.model.body(fi, hi)
        ln = body[idx]
        bg, emph_bg = self._line_bg(ln.kind, is_cursor, selected)
        gutter = self._gutter(ln, bg, fi, True, True)
        if ln.kind == "\\":
            text = [Segment(ln.text, self._style(bg, self.palette().gutter, italic=True))]
        else:
            text = self._text_segments(fi, hi, idx, ln, bg, emph_bg, window=(scroll_x, width))
        gw = self._gutter_width()
        text_strip = Strip(text).crop_extend(scroll_x, scroll_x + max(0, width - gw), self._style(bg))
        return Strip.join([Strip(gutter), text_strip]).adjust_cell_length(width, self._style(bg))

    def _render_pair(
        self, fi: int, hi: int, j: int, width: int, is_cursor: bool, selected: bool, scroll_x: int
    ) -> Strip:
        assert self.model is not None
        a, b = self.model.pairs(fi, hi)[j]
        body = self.model.body(fi, hi)
        half = max(10, (width - 1) // 2)
        out: list[Strip] = []
        p = self.palette()
        for side, idx in (("old", a), ("new", b)):
            ln = body[idx] if idx is not None else None
            kind = ln.kind if ln is not None else ""
            if ln is not None and ln.kind == " ":
                kind = " "
            if ln is None:
                bg = p.bg.blend(p.gutter, 0.08)
                if is_cursor:
                    bg = bg.blend(p.cursor, 0.3 if self.has_focus else 0.15)
                emph_bg = bg
            else:
                bg, emph_bg = self._line_bg(kind, is_cursor, selected)
            gutter = self._gutter(ln, bg, fi, side == "old", side == "new")
            gw = sum(s.cell_length for s in gutter)
            text = (
                self._text_segments(fi, hi, idx, ln, bg, emph_bg, side=side, window=(scroll_x, half))
                if ln is not None and idx is not None
                else []
            )
            strip = Strip.join(
                [
                    Strip(gutter),
                    Strip(text).crop_extend(scroll_x, scroll_x + max(0, half - gw), self._style(bg)),
                ]
            )
            out.append(strip.adjust_cell_length(half, self._style(bg)))
            if side == "old":
                out.append(Strip([Segment("│", self._style(p.bg, p.gutter))]))
        return Strip.join(out).adjust_cell_length(width, self._style(p.bg))

    def _emphasis(self, fi: int, hi: int, idx: int) -> list[tuple[int, int]]:
        """Changed spans of line ``idx`` of hunk ``hi`` against the line paired with it, worked out when the
        line is first drawn (not for the whole hunk: a 2,000-line rewrite costs its screen, not its size)."""
        assert self.model is not None
        partners = self._partners.get((fi, hi))
        if partners is None:
            partners = {}
            for a, b in pair_lines(self.model.body(fi, hi)):
                partners[a] = partners[b] = (a, b)
            self._partners[(fi, hi)] = partners
            if len(self._partners) > 512:
                self._partners.popitem(last=False)
        pair = partners.get(idx)
        if pair is None:
            return []
        key = (fi, hi, pair[0])
        spans = self._intraline.get(key)
        if spans is None:
            body = self.model.body(fi, hi)
            spans = self._intraline[key] = changed_spans(body[pair[0]].text, body[pair[1]].text)
            if len(self._intraline) > CACHED_ROWS * 4:
                self._intraline.popitem(last=False)
        return spans[0] if idx == pair[0] else spans[1]

    def _tokens_for(self, fi: int, ln: Line, side: str) -> tuple:
        done = self._tokens.get(fi)
        if done is not None:
            old_map, new_map = done
            if side == "old" and ln.old_no is not None:
                return old_map.get(ln.old_no, ())
            if ln.new_no is not None:
                return new_map.get(ln.new_no, ())
            if ln.old_no is not None:
                return old_map.get(ln.old_no, ())
        if fi not in self._lexers:
            self._request_tokens(fi)
            return ()
        if len(ln.text) > MAX_RENDER:
            return ()
        return highlight.line_tokens(self._lexers[fi], ln.text)

    def _text_segments(
        self,
        fi: int,
        hi: int,
        idx: int,
        ln: Line,
        bg: Color,
        emph_bg: Color,
        side: str | None = None,
        window: tuple[int, int] = (0, 0),
    ) -> list[Segment]:
        text = ln.text
        pad = 0
        long_line = len(text) > MAX_RENDER
        if long_line:  # draw only the part around the view (plus a margin), padded to its column
            pad = max(0, window[0] - WINDOW_MARGIN)
            text = text[pad : window[0] + window[1] + WINDOW_MARGIN].replace("\t", " ")
        if side is None:
            side = "old" if ln.kind == "-" else "new"
        tokens = self._tokens_for(fi, ln, side)
        emph = self._emphasis(fi, hi, idx) if ln.kind in "+-" and not long_line else []
        p = self.palette()
        segs: list[Segment] = [Segment(" " * pad, self._style(bg))] if pad else []
        col = pad
        crlf_end = len(text) - 1 if text.endswith("\r") else -1
        for run in runs(text, tokens, emph, self.search_term):
            ph = run.placeholder
            if ph is not None:
                if run.start == crlf_end and ph == "^M":
                    segs.append(Segment("␍", self._style(bg, p.gutter, dim=True)))
                else:
                    segs.append(Segment(ph, self._style(p.unsafe_bg, p.unsafe_fg, bold=True)))
                col += len(ph)
                continue
            chunk, col = expand_tabs(text[run.start : run.end], col)
            cbg = p.match if run.match else (emph_bg if run.emph else bg)
            style = self._tok_style(cbg, run.ttype)
            if run.match:
                style = style + RichStyle(color=p.bg.rich_color)
            segs.append(Segment(chunk, style))
        return segs

    def _safe_segments(self, text: str, style: RichStyle, bg: Color) -> list[Segment]:
        p = self.palette()
        segs: list[Segment] = []
        last = 0
        for s, e, ph in unsafe_spans(text):
            if s > last:
                segs.append(Segment(text[last:s], style))
            segs.append(Segment(ph, self._style(p.unsafe_bg, p.unsafe_fg, bold=True)))
            last = e
        if last < len(text):
            segs.append(Segment(text[last:], style))
        return segs
