"""A modal note editor for the current question."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from signoff.app.safe import safe_text


class NoteScreen(ModalScreen[str | None]):
    """Edit a note; ctrl+s or esc saves, ctrl+q cancels."""

    BINDINGS = [
        Binding("ctrl+s,escape", "save", "Save note", id="note.save"),
        Binding("ctrl+q", "cancel", "Cancel", id="note.cancel"),
    ]

    def __init__(self, question: str, note: str) -> None:
        super().__init__(id="note-screen")
        self.question = question
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(safe_text(self.question, style="bold"), id="note-question")
            yield TextArea(self.note, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Static("esc / ctrl+s save · ctrl+q cancel", id="note-help")

    def on_mount(self) -> None:
        ta = self.query_one(TextArea)
        ta.focus()
        ta.move_cursor(ta.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.rstrip())

    def action_cancel(self) -> None:
        self.dismiss(None)
