"""A yes/no question before an action that leaves something open (approve with open items, ...)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from signoff.app.actions import bindings
from signoff.app.safe import safe_text


class ConfirmScreen(ModalScreen[bool]):
    """Shows ``body`` (built by the caller from safe text) and returns True for y, False for n / esc."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > VerticalScroll {
        width: 90%; max-width: 100; height: auto; max-height: 80%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = bindings("confirm")

    def __init__(self, title: str, body: Text, *, question: str, id: str) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.body = body
        self.question = question

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(self.title_text, style="bold"), id="confirm-title")
            yield Static(self.body, id="confirm-body")
            yield Static(Text(f"{self.question}  y yes · n / esc no", style="bold"), id="confirm-question")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def open_items_text(items: dict) -> Text:
    """The open items of :meth:`ReviewState.open_items` as text (paths made visible)."""
    t = Text()
    if items.get("pending"):
        t.append(f"Analysis not complete: {', '.join(items['pending'])}\n", style="bold red")
    if items.get("unanswered"):
        t.append(f"{len(items['unanswered'])} triggered question(s) unanswered:\n", style="bold yellow")
        for qid in items["unanswered"][:12]:
            t.append("   ")
            t.append_text(safe_text(qid))
            t.append("\n")
    if items.get("unviewed"):
        t.append(f"{len(items['unviewed'])} file(s) not viewed (not marked reviewed):\n", style="bold yellow")
        for path in items["unviewed"][:12]:
            t.append("   ")
            t.append_text(safe_text(path))
            t.append("\n")
        if len(items["unviewed"]) > 12:
            t.append(f"   … {len(items['unviewed']) - 12} more\n", style="dim")
    if items.get("ai_unseen"):
        t.append(f"{items['ai_unseen']} AI-attributed line(s) not looked at\n", style="bold yellow")
    return t
