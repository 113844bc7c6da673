"""The ``?`` help screen: every key and what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from signoff.app.widgets.diffpaint import AI_COLOUR

MOVEMENT = [
    ("j / k, ↓ / ↑", "move the cursor line by line"),
    ("space / pgdn, pgup", "page down / up"),
    ("g / G", "first / last line"),
    ("h / l, ← / →", "scroll sideways"),
    ("] / [", "next / previous hunk"),
    ("} / {", "next / previous file"),
    ("v", "start / end a selection (for evidence)"),
    ("tab / shift+tab", "move between panes (files, checklist, diff, detail)"),
    ("enter", "in the file list: open the file"),
    ("ctrl+p", "command palette: every action by name"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        from signoff.app.screens.review import ACTIONS, ReviewScreen

        helps = {action: text for _title, action, text in ACTIONS}

        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for keys, what in MOVEMENT:
            table.add_row(keys, what)
        table.add_row("", "")
        for b in ReviewScreen.BINDINGS:
            if b.key == "escape":
                continue
            text = helps.get(b.action, b.description)
            table.add_row(b.key_display or b.key, text.rsplit(" (", 1)[0])
        table.add_row("H", "history of past reviews")
        table.add_row("q", "quit — the draft is kept and resumed next time")
        legend = Text()
        legend.append("\nLegend  ", style="bold")
        legend.append("▌", style=f"bold {AI_COLOUR}")
        legend.append(" AI-attributed line (i: why)   ")
        legend.append(" + ", style="on #1f4d2c")
        legend.append(" added   ")
        legend.append(" - ", style="on #5a1f2a")
        legend.append(" removed   ")
        legend.append("<ESC>", style="bold #ffffff on #b00020")
        legend.append(" control / bidi character shown literally\n")
        legend.append("Answers  ")
        legend.append("✓ pass  ", style="bold green")
        legend.append("✗ fail  ", style="bold red")
        legend.append("– n/a  ", style="bold #8a8a8a")
        legend.append("· unanswered", style="dim")
        with VerticalScroll(id="help-box"):
            yield Static(Text("signoff — keys", style="bold"))
            yield Static(table)
            yield Static(legend)
            yield Static(Text("\nesc to close", style="dim"))
