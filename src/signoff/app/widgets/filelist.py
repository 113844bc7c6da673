"""The changed files: flat or as a tree, with status, +/- counts, AI lines, questions and a filter."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from signoff.app.safe import safe_text
from signoff.diff.model import FileDiff

STATUS_STYLE = {
    "added": ("A", "bold green"),
    "modified": ("M", "bold yellow"),
    "deleted": ("D", "bold red"),
    "renamed": ("R", "bold cyan"),
    "copied": ("C", "bold cyan"),
    "typechange": ("T", "bold magenta"),
    "unmerged": ("U", "bold red"),
}
AI_STYLE = "bold #c061ff"


class FileOptions(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]


class FileList(Vertical):
    """File list with a filter box; posts :class:`FileList.FileChosen`."""

    DEFAULT_CSS = """
    FileList { height: 1fr; }
    FileList #files-title { height: 1; padding: 0 1; background: $panel; color: $text; text-style: bold; }
    FileList Input { height: 1; border: none; padding: 0 1; background: $boost; }
    FileList Input:focus { border: none; background: $accent 20%; }
    FileList OptionList { height: 1fr; border: none; padding: 0; }
    """

    class FileChosen(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.files: list[FileDiff] = []
        self.tree_mode = False
        self.filter = ""
        self.ai_count: Callable[[str], int] = lambda _p: 0
        self.question_count: Callable[[str], int] = lambda _p: 0
        self.reviewed: Callable[[str], bool] = lambda _p: False
        self._current: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("Files", id="files-title")
        yield Input(placeholder="filter files (F)", id="file-filter")
        yield FileOptions(id="file-options")

    @property
    def options(self) -> OptionList:
        return self.query_one(FileOptions)

    def set_files(self, files: list[FileDiff]) -> None:
        self.files = files
        self.rebuild()

    def toggle_tree(self) -> None:
        self.tree_mode = not self.tree_mode
        self.rebuild()

    def _label(self, i: int, f: FileDiff, name: str, indent: int) -> Text:
        mark, style = STATUS_STYLE.get(str(f.status), ("?", "bold"))
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append("  " * indent)
        t.append("✔ " if self.reviewed(f.path) else "  ", style="bold green")
        t.append(mark + " ", style=style)
        t.append_text(safe_text(name))
        t.append(f" +{f.added}", style="green")
        t.append(f" −{f.removed}", style="red")
        n_ai = self.ai_count(f.path)
        if n_ai:
            t.append(f" AI{n_ai}", style=AI_STYLE)
        n_q = self.question_count(f.path)
        if n_q:
            t.append(f" Q{n_q}", style="bold yellow")
        if f.binary:
            t.append(" bin", style="dim")
        elif f.too_large:
            t.append(" big", style="dim")
        return t

    def rebuild(self) -> None:
        opts = self.options
        keep = self._current
        opts.clear_options()
        needle = self.filter.lower()
        shown = [(i, f) for i, f in enumerate(self.files) if not needle or needle in f.path.lower()]
        items: list[Option] = []
        if not self.tree_mode:
            items = [Option(self._label(i, f, f.path, 0), id=f"f{i}") for i, f in shown]
        else:
            seen_dirs: set[str] = set()
            for i, f in sorted(shown, key=lambda x: x[1].path.split("/")):
                parts = f.path.split("/")
                for depth in range(len(parts) - 1):
                    d = "/".join(parts[: depth + 1])
                    if d not in seen_dirs:
                        seen_dirs.add(d)
                        label = Text("  " * depth + "▾ ", style="dim")
                        label.append_text(safe_text(parts[depth] + "/", style="bold blue"))
                        items.append(Option(label, id=f"d{len(seen_dirs)}", disabled=True))
                items.append(Option(self._label(i, f, parts[-1], len(parts) - 1), id=f"f{i}"))
        opts.add_options(items)
        done = sum(1 for f in self.files if self.reviewed(f.path))
        title = f"Files {done}/{len(self.files)} reviewed" + (" · tree" if self.tree_mode else "")
        if needle:
            title += f" · {len(shown)} match"
        self.query_one("#files-title", Static).update(Text(title))
        if keep is not None:
            self.highlight_file(keep)

    def refresh_file(self, index: int) -> None:
        self.rebuild()

    def highlight_file(self, index: int) -> None:
        self._current = index
        opts = self.options
        try:
            pos = opts.get_option_index(f"f{index}")
        except Exception:
            return
        if opts.highlighted != pos:
            with opts.prevent(OptionList.OptionHighlighted):
                opts.highlighted = pos

    @on(Input.Changed, "#file-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter = event.value
        self.rebuild()

    @on(Input.Submitted, "#file-filter")
    def _filter_done(self, _event: Input.Submitted) -> None:
        self.options.focus()
        if self.options.option_count and self.options.highlighted is None:
            self.options.highlighted = 0

    @on(OptionList.OptionSelected, "#file-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        oid = event.option.id or ""
        if oid.startswith("f"):
            self._current = int(oid[1:])
            self.post_message(self.FileChosen(int(oid[1:])))
