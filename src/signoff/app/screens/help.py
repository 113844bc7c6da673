"""The ``?`` help screen: every key and what it does, built from the action table."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from signoff.app.actions import bindings, help_groups
from signoff.app.widgets.diffpaint import AI_COLOUR


class HelpScreen(ModalScreen[None]):
    """Every key, grouped, from the one action table (``app.actions``)."""

    BINDINGS = bindings("help")

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for group, actions in help_groups():
            table.add_row(Text(group, style="bold underline"), "")
            for a in actions:
                table.add_row(a.shown_keys, a.title)
        table.add_row("ctrl+p", "Command palette: every action by name")
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
