"""The changed files, flat or as a tree: a virtual list drawn line by line, paths elided in the middle.

Only visible rows are drawn, so a key costs the same on 20 files or 2,000. Each row keeps the file name
whole (``services/pay…/ledger.py``) and, width allowing, its question, AI and +/- counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from signoff.app.actions import bindings
from signoff.app.safe import elide_middle, safe_text
from signoff.app.widgets.redraw import Bar, content_width, refresh_rows, set_virtual_size
from signoff.diff.model import STATUS_MARK, FileDiff
from signoff.util.sanitize import visible

STATUS_STYLE = {
    "added": "bold green",
    "modified": "bold yellow",
    "deleted": "bold red",
    "renamed": "bold cyan",
    "copied": "bold cyan",
    "typechange": "bold magenta",
    "unmerged": "bold red",
}
AI_STYLE = "bold #c061ff"
#: A file name keeps at least this many cells before counts are dropped from a row.
MIN_NAME = 14
#: Drawn rows kept.
CACHED_ROWS = 4000


@dataclass(frozen=True, slots=True)
class Entry:
    """One row: a file (``index`` into the diff's files) or a directory heading (``index`` -1)."""

    index: int
    depth: int
    name: str


def flat_entries(files: list[FileDiff], shown: list[int]) -> list[Entry]:
    return [Entry(i, 0, files[i].path) for i in shown]


def tree_entries(files: list[FileDiff], shown: list[int]) -> list[Entry]:
    out: list[Entry] = []
    seen: set[str] = set()
    for i in sorted(shown, key=lambda i: files[i].path.split("/")):
        parts = files[i].path.split("/")
        for depth in range(len(parts) - 1):
            d = "/".join(parts[: depth + 1])
            if d not in seen:
                seen.add(d)
                out.append(Entry(-1, depth, parts[depth] + "/"))
        out.append(Entry(i, len(parts) - 1, parts[-1]))
    return out


class FileRows(ScrollView, can_focus=True):
    """The rows of the file list; posts :class:`FileRows.Highlighted` and :class:`FileRows.Chosen`."""

    BINDINGS = bindings("files")
    COMPONENT_CLASSES = {"filerows--cursor", "filerows--cursor-blurred", "filerows--dir"}
    DEFAULT_CSS = """
    FileRows { height: 1fr; overflow-x: hidden; overflow-y: auto; scrollbar-size-vertical: 1; }
    FileRows > .filerows--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    FileRows > .filerows--cursor-blurred { background: $block-cursor-blurred-background; }
    FileRows > .filerows--dir { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0, init=False, repaint=False)  # set_cursor repaints two rows

    class Highlighted(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Chosen(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, owner: FileList, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.owner = owner
        self.entries: list[Entry] = []
        self._pos: dict[int, int] = {}
        #: Drawn rows by entry (not position): flat <-> tree and back reuses them.
        self._cache: dict[tuple[Entry, int, bool, bool], Strip] = {}

    def set_entries(self, entries: list[Entry], keep: int | None) -> None:
        self.entries = entries
        self._pos = {e.index: n for n, e in enumerate(entries) if e.index >= 0}
        set_virtual_size(self, Size(self.size.width, len(entries)))
        self.refresh()
        pos = self._pos.get(keep, None) if keep is not None else None
        if pos is None:
            pos = next((n for n, e in enumerate(entries) if e.index >= 0), 0)
        self.set_cursor(pos, notify=False)

    def invalidate(self) -> None:
        self._cache.clear()
        self._styles = None
        self.refresh()

    def refresh_entry(self, index: int) -> None:
        for key in [k for k in self._cache if k[0].index == index]:
            del self._cache[key]
        pos = self._pos.get(index)
        if pos is not None:
            refresh_rows(self, (pos,))

    def current_index(self) -> int | None:
        if 0 <= self.cursor < len(self.entries) and self.entries[self.cursor].index >= 0:
            return self.entries[self.cursor].index
        return None

    def position_of(self, index: int) -> int | None:
        return self._pos.get(index)

    def set_cursor(self, pos: int, *, notify: bool = True) -> None:
        if not self.entries:
            return
        pos = max(0, min(pos, len(self.entries) - 1))
        old = self.cursor
        self._quiet = not notify
        self.cursor = pos
        self._quiet = False
        refresh_rows(self, (old, pos))  # rows are cached by cursor state: only these two change
        height = self.scrollable_content_region.height or 1
        top = int(self.scroll_y)
        if pos < top:
            self.scroll_to(y=pos, animate=False, immediate=True)
        elif pos >= top + height:
            self.scroll_to(y=pos - height + 1, animate=False, immediate=True)

    _quiet = False

    def watch_cursor(self, _old: int, _new: int) -> None:
        index = self.current_index()
        if index is not None and not self._quiet:
            self.post_message(self.Highlighted(index))

    def _step_to_file(self, pos: int, delta: int) -> int:
        """From ``pos`` on, in direction ``delta``, the nearest file row (directory rows skipped)."""
        n = len(self.entries)
        while 0 <= pos < n and self.entries[pos].index < 0:
            pos += delta
        if not 0 <= pos < n:
            return self.cursor
        return pos

    def action_cursor(self, delta: int) -> None:
        self.set_cursor(self._step_to_file(self.cursor + delta, 1 if delta > 0 else -1))

    def action_page(self, delta: int) -> None:
        height = max(1, (self.scrollable_content_region.height or 1) - 1)
        pos = max(0, min(len(self.entries) - 1, self.cursor + delta * height))
        self.set_cursor(self._step_to_file(pos, 1 if delta > 0 else -1))

    def action_first(self) -> None:
        self.set_cursor(self._step_to_file(0, 1))

    def action_last(self) -> None:
        self.set_cursor(self._step_to_file(len(self.entries) - 1, -1))

    def action_open(self) -> None:
        index = self.current_index()
        if index is not None:
            self.post_message(self.Chosen(index))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        pos = int(self.scroll_y) + offset.y
        if 0 <= pos < len(self.entries) and self.entries[pos].index >= 0:
            self.set_cursor(pos)

    def on_focus(self) -> None:
        refresh_rows(self, (self.cursor,))

    def on_blur(self) -> None:
        refresh_rows(self, (self.cursor,))

    def on_resize(self, _event: events.Resize) -> None:
        set_virtual_size(self, Size(self.size.width, len(self.entries)))
        self.invalidate()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._cache.clear()

    _styles: dict[str, RichStyle] | None = None

    def _style(self, name: str) -> RichStyle:
        """The base style or a component's (on top of the base), looked up once per stylesheet."""
        if self._styles is None:
            base = self.rich_style
            self._styles = {"": base}
            for cls in self.COMPONENT_CLASSES:
                self._styles[cls] = base + self.get_component_rich_style(cls)
        return self._styles[name]

    def render_line(self, y: int) -> Strip:
        pos = int(self.scroll_y) + y
        width = content_width(self)
        if pos >= len(self.entries) or width <= 0:
            return Strip.blank(width, self._style(""))
        is_cursor = pos == self.cursor
        entry = self.entries[pos]
        key = (entry, width, is_cursor, is_cursor and self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) > CACHED_ROWS:
                self._cache.clear()
            strip = self._render_entry(entry, width, is_cursor)
            self._cache[key] = strip
        return strip

    def _render_entry(self, e: Entry, width: int, is_cursor: bool) -> Strip:
        if e.index < 0:
            label = Text("  " * e.depth + "▾ ", no_wrap=True)
            label.append_text(safe_text(e.name, style="bold"))
            label.stylize(self._style("filerows--dir"))
        else:
            label = self.owner.label(e, width)
        base = self._style("")
        if is_cursor:
            base = self._style("filerows--cursor" if self.has_focus else "filerows--cursor-blurred")
        segs = [Segment(s.text, base + s.style if s.style else base) for s in label.render(self.app.console)]
        return Strip(segs).crop(0, width).adjust_cell_length(width, base)


class FileList(Vertical):
    """Title, filter box (``F``) and the file rows. The screen supplies the per-file counts."""

    DEFAULT_CSS = """
    FileList { height: 1fr; }
    FileList #file-filter { display: none; height: 1; border: none; padding: 0 1; background: $boost; }
    FileList #file-filter.-open { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.files: list[FileDiff] = []
        self.tree_mode = False
        self.filter = ""
        self.ai_count: Callable[[str], int] = lambda _p: 0
        self.question_count: Callable[[str], int] = lambda _p: 0
        self.reviewed: Callable[[str], bool] = lambda _p: False
        #: Leave the files marked reviewed out of the list (``V``).
        self.hide_reviewed = False
        self._shown_indices: list[int] = []
        self._entries: dict[tuple[bool, tuple[int, ...]], list[Entry]] = {}

    def compose(self) -> ComposeResult:
        yield Bar("Files", id="files-title", classes="pane-title")
        yield Input(placeholder="filter files — enter to keep, esc to clear", id="file-filter")
        yield FileRows(self, id="file-rows")

    @property
    def rows(self) -> FileRows:
        return self.query_one(FileRows)

    def focus_list(self) -> None:
        self.rows.focus()

    def set_files(self, files: list[FileDiff]) -> None:
        self.files = files
        self._entries = {}
        self.rows.invalidate()  # same paths may come back with other counts
        self.rebuild()

    def toggle_tree(self) -> None:
        self.tree_mode = not self.tree_mode
        self.rebuild()

    def rebuild(self) -> None:
        """Recompute the rows (filter, flat or tree): no widgets are created, only a list of entries."""
        needle = self.filter.lower()
        shown = [
            i
            for i, f in enumerate(self.files)
            if (not needle or needle in f.path.lower()) and not (self.hide_reviewed and self.reviewed(f.path))
        ]
        self._shown_indices = shown
        key = (self.tree_mode, tuple(shown))
        entries = self._entries.get(key)
        if entries is None:  # the last few lists are kept: t and back costs no sorting
            entries = (tree_entries if self.tree_mode else flat_entries)(self.files, shown)
            self._entries = dict([*list(self._entries.items())[-3:], (key, entries)])
        self.rows.set_entries(entries, self.rows.current_index())
        self._shown = len(shown)
        self.update_title()

    _shown = 0

    def update_title(self, reviewed: int | None = None) -> None:
        done = reviewed if reviewed is not None else sum(1 for f in self.files if self.reviewed(f.path))
        title = f"Files {done}/{len(self.files)} reviewed" + (" · tree" if self.tree_mode else "")
        if self.filter:
            title += f" · {self._shown} match"
        self.query_one("#files-title", Static).update(Text(title))

    def shown_indices(self) -> list[int]:
        """Indices (into ``files``) of the files the list shows (filter, hidden reviewed files)."""
        return list(self._shown_indices)

    def refresh_counts(self) -> None:
        """Counts changed (AI marks, questions, reviewed marks): redraw the visible rows."""
        self.rows.invalidate()

    def refresh_file(self, index: int) -> None:
        """File ``index``'s mark or counts changed: redraw its row alone."""
        self.rows.refresh_entry(index)

    def highlighted_index(self) -> int | None:
        return self.rows.current_index()

    def highlighted_path(self) -> str | None:
        i = self.rows.current_index()
        return self.files[i].path if i is not None else None

    def highlight_file(self, index: int) -> None:
        """Follow the diff: put the cursor on file ``index`` without posting a message."""
        pos = self.rows.position_of(index)
        if pos is not None and pos != self.rows.cursor:
            self.rows.set_cursor(pos, notify=False)

    def highlight_path(self, path: str) -> None:
        i = next((n for n, f in enumerate(self.files) if f.path == path), None)
        if i is not None:
            self.highlight_file(i)

    def open_filter(self) -> None:
        box = self.query_one("#file-filter", Input)
        box.add_class("-open")
        box.focus()

    def label(self, e: Entry, width: int) -> Text:
        """A file row: reviewed mark, status, elided name, then counts as width allows (Q, AI, +/-)."""
        f = self.files[e.index]
        indent = "  " * e.depth
        head = Text(no_wrap=True)
        head.append(indent)
        head.append("✔" if self.reviewed(f.path) else " ", style="bold green")
        head.append(STATUS_MARK.get(str(f.status), "?") + " ", style=STATUS_STYLE.get(str(f.status), "bold"))
        tail: list[tuple[str, str]] = []
        n_q = self.question_count(f.path)
        if n_q:
            tail.append((f" Q{n_q}", "bold yellow"))
        n_ai = self.ai_count(f.path)
        if n_ai:
            tail.append((f" AI{n_ai}", AI_STYLE))
        tail.append((f" +{f.added}", "green"))
        tail.append((f" −{f.removed}", "red"))
        if f.binary:
            tail.append((" bin", "dim"))
        elif f.too_large:
            tail.append((" big", "dim"))
        name = visible(e.name)
        base = name[name.rfind("/") + 1 :]
        room = width - head.cell_len
        # counts go (least useful first) until the file name itself fits
        while tail and room - sum(len(t) for t, _ in tail) < min(len(name), max(len(base) + 2, MIN_NAME)):
            tail.pop()
        room -= sum(len(t) for t, _ in tail)
        if len(name) <= room:
            head.append_text(safe_text(e.name))
        else:
            head.append(elide_middle(name, room))
        for text, style in tail:
            head.append(text, style=style)
        return head

    @on(Input.Changed, "#file-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter = event.value
        self.rebuild()

    @on(Input.Submitted, "#file-filter")
    def _filter_done(self, _event: Input.Submitted) -> None:
        self.rows.focus()
        if not self.filter:
            self.query_one("#file-filter", Input).remove_class("-open")
