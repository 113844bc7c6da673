"""Past reviews of this repository: signer, verdict, date, validity; columns sized to the terminal."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from signoff.app.actions import bindings
from signoff.app.finish import list_reviews
from signoff.app.safe import elide_middle, safe_text
from signoff.app.screens.record_view import RecordScreen
from signoff.errors import SignoffError
from signoff.records.codec import load
from signoff.util.sanitize import visible

#: Columns (row key, heading) in the order shown; "path" takes the width that is left.
COLUMNS = [
    ("date", "date"),
    ("verdict", "verdict"),
    ("signer", "signer"),
    ("validity", "validity"),
    ("state", "state"),
    ("head", "head"),
    ("path", "record"),
]
#: Column widths by terminal width: below 100 columns short forms, below 140 no state/head columns.
WIDTHS = [
    (100, {"date": 10, "verdict": 12, "signer": 16, "validity": 12}),
    (140, {"date": 16, "verdict": 17, "signer": 22, "validity": 14}),
    (0, {"date": 16, "verdict": 17, "signer": 24, "validity": 14, "state": 10, "head": 12}),
]
#: Cells DataTable adds around each column, and the vertical scrollbar.
PAD, SCROLLBAR = 2, 2


def column_plan(width: int) -> list[tuple[str, str, int]]:
    """The columns that fit ``width`` with their widths; the record path gets the rest."""
    widths = next(w for limit, w in WIDTHS if width < limit or not limit)
    used = sum(w + PAD for w in widths.values()) + PAD + SCROLLBAR
    rest = max(12, width - used)
    return [(k, h, widths.get(k, rest)) for k, h in COLUMNS if k in widths or k == "path"]


def cell(key: str, value: str, width: int) -> Text:
    text = visible(value)
    if key == "date":
        text = text.replace("T", " ")[:width]
    elif key == "head":
        text = text[:width]
    elif key == "verdict" and width < len(text):
        text = {"changes-requested": "changes-req"}.get(text, text)[:width]
    elif key == "path":
        text = elide_middle(text, width)
    elif len(text) > width:
        text = text[: width - 1] + "…"
    style = ""
    if key == "validity":
        style = "green" if value == "valid" else "red"
    elif key == "state":
        style = "yellow" if value == "stale" else "dim"
    return Text(text, style=style, no_wrap=True)


class HistoryScreen(Screen[None]):
    BINDINGS = bindings("history")

    def __init__(self, git: Any) -> None:
        super().__init__(id="history")
        self.git = git
        self.rows: list[dict[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(" Review history", style="bold"), id="history-title")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static(Text("Loading…", style="dim"), id="history-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._fill()
        self.load()

    def on_resize(self, _event: events.Resize) -> None:
        self._fill()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_row(event.cursor_row)

    def action_open_record(self) -> None:
        self.open_row(self.query_one(DataTable).cursor_row)

    def open_row(self, index: int) -> None:
        """Open the record of row ``index``: answers, comments, validity (see :mod:`.record_view`)."""
        if not 0 <= index < len(self.rows):
            return
        row = self.rows[index]
        record = None
        with contextlib.suppress(SignoffError):  # unreadable: shown as such, with its validity
            record = load(Path(self.git.root) / row.get("path", ""))
        self.app.push_screen(RecordScreen(record, row))

    @work(thread=True, exclusive=True, group="history")
    def load(self) -> None:
        try:
            found = list_reviews(self.git)
        except Exception as exc:
            self.app.call_from_thread(self._show, [], [], f"could not list reviews: {exc}")
            return
        self.app.call_from_thread(self._show, found.rows, found.notes, "")

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        plan = column_plan(self.size.width or 80)
        for _key, heading, width in plan:
            table.add_column(heading, width=width)
        for r in self.rows:
            table.add_row(*(cell(key, r.get(key, ""), width) for key, _h, width in plan))

    def _show(self, rows: list[dict[str, str]], notes: list[str], error: str) -> None:
        self.rows = rows
        self._fill()
        status = self.query_one("#history-status", Static)
        if error:
            status.update(safe_text(error, style="red"))
            return
        t = Text(f"{len(rows)} review(s)" if rows else "No reviews recorded in this repository yet.")
        t.stylize("dim")
        for note in notes:
            t.append("\n")
            t.append_text(safe_text(note, style="yellow"))
        invalid = [r for r in rows if r.get("validity") != "valid" and r.get("reason")]
        for r in invalid[:3]:
            t.append("\n")
            t.append_text(safe_text(f"{r.get('path', '')}: {r.get('reason', '')}", style="red"))
        status.update(t)
