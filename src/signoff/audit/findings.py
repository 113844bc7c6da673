"""Scanner findings in the audit: what reviewers triaged, and what reached the branch untriaged.

A finding is untriaged on merged code when a valid record lists it as ``untriaged`` (the reviewer saw it
and did not judge it), or when the scanner output for the branch tip (``audit --findings FILE.sarif``)
holds it and no valid record triaged a finding with the same fingerprint (tool, rule, path, line text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from signoff.audit.report import RecordEntry
from signoff.findings.placement import fingerprint
from signoff.findings.sarif import load_sarif
from signoff.git.objects import read_objects
from signoff.git.runner import Git


@dataclass
class OpenFinding:
    """A finding on the branch that nobody triaged."""

    tool: str
    rule: str
    level: str
    path: str
    line: int
    message: str
    fingerprint: str
    #: The record that listed it untriaged ("" when it came from the tip's scanner output).
    record: str = ""
    reviewer: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class FindingsAudit:
    open: list[OpenFinding] = field(default_factory=list)
    #: Judgements in valid records: true-positive / false-positive / accepted-risk counts.
    triaged: Counter[str] = field(default_factory=Counter)
    #: SARIF files read for the tip.
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "untriaged": [f.to_json() for f in self.open],
            "triaged": dict(self.triaged),
            "sources": list(self.sources),
        }


def audit_findings(
    git: Git, entries: list[RecordEntry], tip: str | None, sarif: Sequence[str]
) -> FindingsAudit:
    """Findings triaged in valid records and those left open (see the module docstring)."""
    out = FindingsAudit(sources=list(sarif))
    judged: set[str] = set()
    listed: list[tuple[RecordEntry, Any]] = []
    for e in entries:
        if not e.valid or e.record is None or not e.record.findings:
            continue
        for f in e.record.findings:
            if f.triage == "untriaged":
                listed.append((e, f))
            else:
                judged.add(f.fingerprint)
                out.triaged[f.triage] += 1
    seen: set[str] = set()
    for e, f in listed:
        if f.fingerprint not in judged and f.fingerprint not in seen:
            seen.add(f.fingerprint)
            out.open.append(
                OpenFinding(
                    f.tool, f.rule, f.level, f.path, f.line, f.message, f.fingerprint, e.path, e.reviewer
                )
            )
    if tip and sarif:
        raw = [r for p in sarif for r in load_sarif(p, git.root)]
        blobs = read_objects(git, sorted({f"{tip}:{r.path}" for r in raw}))
        for r in raw:
            body = blobs.get(f"{tip}:{r.path}")
            if body is None or body[1] != b"blob":
                continue  # not on the branch (a generated or deleted file)
            lines = body[2].decode("utf-8", "replace").split("\n")
            text = lines[r.line - 1] if 0 < r.line <= len(lines) else ""
            fp = fingerprint(r, text)
            if fp not in judged and fp not in seen:
                seen.add(fp)
                out.open.append(OpenFinding(r.tool, r.rule, r.level, r.path, r.line, r.message, fp))
    return out
