"""One review record from the history: subject, verdict, validity, answers, line comments, open items."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from signoff.app.actions import bindings
from signoff.app.safe import safe_text

ANSWER_STYLE = {"pass": "green", "fail": "bold red", "na": "dim", "skipped": "yellow"}


def record_text(record: Any, row: dict[str, str]) -> Text:
    """The record as text (every repository string through :func:`safe_text`)."""
    t = Text()
    valid = row.get("validity", "")
    t.append("Record ", style="bold")
    t.append_text(safe_text(row.get("path", "")))
    t.append("\nValidity: ")
    t.append_text(safe_text(valid, style="bold green" if valid == "valid" else "bold red"))
    if row.get("reason"):
        t.append(" — ")
        t.append_text(safe_text(row["reason"]))
    if row.get("state"):
        t.append("  ")
        t.append_text(safe_text(row["state"], style="yellow"))
    if record is None:
        t.append("\n\nThe record could not be read.", style="red")
        return t
    s, r = record.subject, record.review
    t.append("\nReviewer: ")
    t.append_text(safe_text(f"{record.reviewer.name} <{record.reviewer.email}>"))
    t.append(f"\nSubject: {s.kind} {s.base[:12]}..{(s.head or s.worktree_tree or s.index_tree)[:12]}")
    t.append(f"  ({len(s.paths)} paths)\nVerdict: ")
    t.append(r.verdict, style="bold")
    t.append(f"  thoroughness {r.thoroughness}, understanding {r.understanding}\n")
    t.append(f"Finished {r.finished}  ({record.schema})\n")
    if r.summary:
        t.append("Summary: ", style="bold")
        t.append_text(safe_text(r.summary, keep_newlines=True))
        t.append("\n")
    if record.previous is not None:
        p = record.previous
        t.append("\nSince an earlier review: ", style="bold")
        t.append_text(safe_text(f"{p.reviewer} at {p.head[:12]} ({p.finished}), {p.record}"))
        t.append(f"\n  {len(p.carried)} answers carried, {len(p.reanswer)} asked again\n")
    a = record.analysis
    if a is not None:
        if not a.complete:
            t.append(f"\n⚠ analysis incomplete when signed: {', '.join(a.pending)}\n", style="bold red")
        open_items = []
        if a.unanswered:
            open_items.append(f"{len(a.unanswered)} unanswered")
        if a.unviewed:
            open_items.append(f"{len(a.unviewed)} files not viewed")
        if a.ai_unseen:
            open_items.append(f"{a.ai_unseen} AI lines not looked at")
        if open_items:
            t.append(f"\nOpen when signed{' (confirmed)' if a.confirmed else ''}: ", style="yellow")
            t.append(", ".join(open_items) + "\n", style="yellow")
    t.append(f"\nAnswers ({len(record.answers)})\n", style="bold")
    for ans in record.answers:
        t.append(f"  {ans.answer:<8}", style=ANSWER_STYLE.get(ans.answer, ""))
        t.append_text(safe_text(ans.id, style="bold"))
        if ans.severity:
            t.append(f" [{ans.severity}]", style="dim")
        t.append(" ")
        t.append_text(safe_text(ans.text))
        if ans.note:
            t.append("\n           ")
            t.append_text(safe_text(ans.note, style="italic"))
        t.append("\n")
    if record.comments:
        t.append(f"\nLine comments ({len(record.comments)})\n", style="bold")
        for c in record.comments:
            t.append("  ")
            t.append_text(safe_text(f"{c.path}:{c.lines}", style="bold"))
            if c.side == "old":
                t.append(" (old)", style="dim")
            t.append("  ")
            t.append_text(safe_text(c.text, keep_newlines=True))
            t.append("\n")
    ai = record.ai
    if ai.lines:
        t.append(f"\nAI lines: {ai.lines}, looked at {ai.lines_reviewed}")
        if ai.seen_definition:
            t.append(f" ({ai.seen_definition})", style="dim")
        t.append("\n")
    return t


class RecordScreen(Screen):
    """A record opened from the history screen."""

    BINDINGS = bindings("record")

    def __init__(self, record: Any, row: dict[str, str]) -> None:
        super().__init__(id="record-view")
        self.record = record
        self.row = row

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="record-scroll"):
            yield Static(record_text(self.record, self.row), id="record-body")
        yield Footer()

    def action_back(self) -> None:
        self.app.pop_screen()
