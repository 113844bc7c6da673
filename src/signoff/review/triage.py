"""The reviewer's triage of scanner findings, turned into the record's ``[[findings]]`` table.

Every finding on the change goes into the signed record: judged ones with ``true-positive``,
``false-positive`` or ``accepted-risk`` (the last two need a note saying why), the rest as ``untriaged``
so ``signoff audit`` can report them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from signoff.errors import UsageError
from signoff.findings.placement import Findings
from signoff.records.model import FindingTriage
from signoff.util.sanitize import visible

JUDGEMENTS = ("true-positive", "false-positive", "accepted-risk")
#: Judgements that dismiss a finding: the note is the reviewer's signed reason.
NEEDS_NOTE = ("false-positive", "accepted-risk")


@dataclass
class TriageInput:
    triage: str
    note: str = ""


def parse_triage(table: Any, source: str) -> dict[str, TriageInput]:
    """``[findings."<id>"]`` tables of an answers file: ``triage = "..."``, ``note = "..."``."""
    if not isinstance(table, dict):
        raise UsageError(f'{source}: findings: expected [findings."<finding id>"] tables')
    out: dict[str, TriageInput] = {}
    for fid, entry in table.items():
        where = f'{source}: findings."{visible(fid)}"'
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: expected a table with triage = ... and note = ...")
        extra = set(entry) - {"triage", "note"}
        if extra:
            raise UsageError(f"{where}.{visible(sorted(extra)[0])}: unknown field (expected triage, note)")
        value, note = entry.get("triage"), entry.get("note", "")
        if value not in JUDGEMENTS:
            raise UsageError(f"{where}.triage: expected one of {', '.join(JUDGEMENTS)}; got {value!r}")
        if not isinstance(note, str):
            raise UsageError(f"{where}.note: expected a string")
        if value in NEEDS_NOTE and not note.strip():
            raise UsageError(f"{where}.note: a {value} judgement needs a note saying why")
        out[fid] = TriageInput(value, note)
    return out


def triage_table(findings: Findings | None, decisions: dict[str, TriageInput]) -> list[FindingTriage] | None:
    """The record's findings table (None when there were no findings); unknown ids are an error."""
    items = findings.items if findings is not None else []
    known = {f.id for f in items}
    unknown = sorted(set(decisions) - known)
    if unknown:
        raise UsageError(
            f"unknown finding id: {visible(', '.join(unknown))} "
            "(see signoff scan --findings FILE --format json)"
        )
    if not items:
        return None
    out = []
    for f in items:
        d = decisions.get(f.id)
        r = f.raw
        out.append(
            FindingTriage(
                id=f.id,
                tool=r.tool,
                rule=r.rule,
                level=r.level,
                path=r.path,
                line=r.line,
                changed=f.changed,
                question=f.question,
                message=r.message,
                fingerprint=f.fingerprint,
                triage=d.triage if d else "untriaged",
                note=d.note if d else "",
            )
        )
    return out
