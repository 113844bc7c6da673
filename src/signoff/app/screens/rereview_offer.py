"""Offer to review only what changed since an earlier record of the same range."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from signoff.app.actions import bindings
from signoff.app.safe import safe_text


class RereviewOffer(ModalScreen[bool]):
    """``i``: the interdiff since the earlier record's head, answers carried; ``f`` / esc: full review."""

    DEFAULT_CSS = """
    RereviewOffer { align: center middle; }
    RereviewOffer > Vertical {
        width: 90%; max-width: 90; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = bindings("rereview")

    def __init__(self, previous: Any, carried: int, reanswer: int, changed_files: int) -> None:
        super().__init__(id="rereview-offer")
        self.previous = previous
        self.counts = (carried, reanswer, changed_files)

    def compose(self) -> ComposeResult:
        p = self.previous
        carried, reanswer, changed = self.counts
        t = Text("This range was reviewed before", style="bold")
        t.append("\n  by ")
        t.append_text(safe_text(p.signer or p.record.reviewer.email, style="bold"))
        t.append(f" on {p.record.review.finished} ({p.record.review.verdict}) at {p.head[:12]}\n  ")
        t.append_text(safe_text(p.path, style="dim"))
        if p.same_head:
            t.append("\n\nNothing changed since.", style="green")
        else:
            t.append(f"\n\n{changed} file(s) changed since that review.")
        t.append(f"\n{carried} answer(s) carry forward (their hit lines did not change); ")
        t.append(f"{reanswer} must be answered again.", style="yellow" if reanswer else "")
        with Vertical():
            yield Static(t, id="offer-body")
            yield Static(
                Text("i / enter  review the changes since · f / esc  full review", style="bold"),
                id="offer-keys",
            )

    def action_choose(self, interdiff: bool) -> None:
        self.dismiss(interdiff)
