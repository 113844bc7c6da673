"""Triage of scanner findings in the review UI: ``T`` judges the finding under the cursor (or the current
question's first), cycling untriaged -> true positive -> false positive -> accepted risk; the last two
ask for the reason (a note), without which the judgement is not taken."""

from __future__ import annotations

from typing import Any

from signoff.app.screens.note import NoteScreen
from signoff.findings.placement import Finding
from signoff.review.triage import JUDGEMENTS, NEEDS_NOTE

CYCLE = ("untriaged", *JUDGEMENTS)


def finding_for(screen: Any) -> Finding | None:
    """The finding at the diff cursor, else the current question's first untriaged (or first) one."""
    findings = screen.state.findings
    q = screen.current_question()
    if findings is None or q is None:
        return None
    mine = [f for f in findings.items if f.question == q.id]
    loc = screen.diffview.location()
    if loc is not None and screen.state.diff is not None:
        path = screen.state.diff.files[loc[0]].path
        at = [f for f in mine if f.raw.path == path and f.raw.line == loc[2]]
        if at:
            return at[0]
    judged = screen.state.session.findings
    return next((f for f in mine if f.id not in judged), mine[0] if mine else None)


def triage_next(screen: Any) -> None:
    """Move the finding to the next judgement (asking for a note when the judgement needs one)."""
    f = finding_for(screen)
    if f is None:
        screen.notify("No scanner finding here (signoff review --findings FILE.sarif).", timeout=3)
        return
    session = screen.state.session
    current = session.findings.get(f.id, {}).get("triage", "untriaged")
    value = CYCLE[(CYCLE.index(current) + 1) % len(CYCLE)] if current in CYCLE else "true-positive"
    label = f"{f.raw.tool} {f.raw.rule} {f.raw.path}:{f.raw.line}"
    if value not in NEEDS_NOTE:
        session.triage(f.id, value)
        screen.notify(f"{label}: {value}", timeout=3, markup=False)
        return
    old = session.findings.get(f.id, {}).get("note", "")

    def done(note: str | None) -> None:
        if note and note.strip():
            session.triage(f.id, value, note)
            screen.notify(f"{label}: {value}", timeout=3, markup=False)
        else:
            session.triage(f.id, "untriaged")
            screen.notify(
                f"{label}: a {value} judgement needs a note; left untriaged", timeout=4, markup=False
            )

    question = f"Why is {label} a {value}? {f.raw.message}"
    screen.app.push_screen(NoteScreen(f"finding:{f.id}", question, old), done)
