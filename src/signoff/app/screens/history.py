"""Past reviews of this repository: signer, verdict, date, validity."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from signoff.app.safe import safe_text


class HistoryScreen(Screen):
    BINDINGS = [Binding("escape,H", "back", "Back", id="history.back")]

    def compose(self) -> ComposeResult:
        yield Static(Text(" Review history", style="bold"), id="history-title")
        table: DataTable = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(Text("Loading…", style="dim"), id="history-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("date", "verdict", "signer", "validity", "state", "head", "record")
        table.focus()
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="history")
    def load(self) -> None:
        from signoff.app.finish import list_reviews

        try:
            found = list_reviews(self.app.git)  # type: ignore[attr-defined]
        except Exception as exc:
            self.app.call_from_thread(self._show, [], [], f"could not list reviews: {exc}")
            return
        self.app.call_from_thread(self._show, found.rows, found.notes, "")

    def _show(self, rows: list[dict[str, str]], notes: list[str], error: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            valid = r.get("validity", "")
            table.add_row(
                safe_text(r.get("date", "")),
                safe_text(r.get("verdict", "")),
                safe_text(r.get("signer", "")),
                safe_text(valid, style="green" if valid == "valid" else "red"),
                safe_text(r.get("state", ""), style="yellow" if r.get("state") == "stale" else "dim"),
                safe_text(r.get("head", "")[:12]),
                safe_text(r.get("path", "")),
            )
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
