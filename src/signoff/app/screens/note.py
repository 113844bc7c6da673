"""The note editor for one question: saved with ctrl+s; esc / ctrl+q cancel the editor only.

Text is never lost: every change is autosaved as the question's unsaved edit (in the draft), a cancel
with typed text asks first, and reopening the editor brings an unsaved edit back.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from signoff.app.actions import bindings
from signoff.app.safe import safe_text


class NoteScreen(ModalScreen[str | None]):
    """Returns the saved note, or None when cancelled."""

    BINDINGS = bindings("note")

    def __init__(
        self,
        qid: str,
        question: str,
        note: str,
        *,
        unsaved: str | None = None,
        on_edit: Callable[[str | None], None] | None = None,
        why: str = "",
    ) -> None:
        super().__init__(id="note-screen")
        self.qid = qid
        self.question = question
        self.saved = note
        self.unsaved = unsaved
        #: Called with the text as typed (None: the edit is over) — the draft autosave.
        self.on_edit = on_edit or (lambda _t: None)
        self.why = why
        self._confirm = False

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            head = Text("Note for ", style="dim")
            head.append_text(safe_text(self.qid, style="bold"))
            if self.why:
                head.append(f" ({self.why})", style="dim")
            head.append("\n")
            head.append_text(safe_text(self.question, style="bold"))
            yield Static(head, id="note-question")
            start = self.unsaved if self.unsaved is not None else self.saved
            yield TextArea(start, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Static(self._help(), id="note-help")

    def _help(self) -> Text:
        if self._confirm:
            return Text("unsaved text: esc again to discard it · ctrl+s to save", style="bold yellow")
        t = Text("ctrl+s save · esc cancel", style="dim")
        if self.unsaved is not None:
            t.append("  (restored unsaved text)", style="yellow")
        return t

    def on_mount(self) -> None:
        ta = self.query_one(TextArea)
        ta.focus()
        ta.move_cursor(ta.document.end)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @on(TextArea.Changed)
    def _typed(self, _event: TextArea.Changed) -> None:
        self.on_edit(self.text if self.text != self.saved else None)
        if self._confirm:
            self._confirm = False
            self.query_one("#note-help", Static).update(self._help())

    def action_save(self) -> None:
        self.on_edit(None)
        self.dismiss(self.text.rstrip())

    def action_cancel(self) -> None:
        """Cancel the editor (never the app). With typed text, ask once before discarding it."""
        if self.text.rstrip() != self.saved.rstrip() and not self._confirm:
            self._confirm = True
            self.query_one("#note-help", Static).update(self._help())
            self.notify("Unsaved note: esc again discards it, ctrl+s saves it.", timeout=3)
            return
        self.on_edit(None)
        self.dismiss(None)
