"""The audit's evidence mapped to compliance controls (SOC 2, ISO/IEC 27001, NIST SSDF, PCI DSS).

The controls, their texts and sources, and which measures are evidence or exceptions for each live in
``signoff/data/compliance.toml``; this module only computes the measures from an audit report.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from signoff.audit.report import AuditReport

SCHEMA = "signoff.compliance-map/1"


@dataclass(frozen=True)
class Control:
    framework: str
    id: str
    title: str
    text: str
    source: str
    quoted: bool
    how: str
    shows: tuple[str, ...]
    exceptions: tuple[str, ...]


def load_controls() -> tuple[dict[str, str], list[Control]]:
    """The measure descriptions and the controls from the shipped data file."""
    data = tomllib.loads(resources.files("signoff").joinpath("data/compliance.toml").read_text("utf-8"))
    if data.get("schema") != SCHEMA:
        raise ValueError(f"compliance.toml: schema must be {SCHEMA}")
    measures = dict(data["measures"])
    controls = []
    for c in data["controls"]:
        unknown = [m for m in (*c["shows"], *c["exceptions"]) if m not in measures]
        if unknown:
            raise ValueError(f"compliance.toml: control {c['id']}: unknown measure {unknown[0]}")
        text, source, how = (" ".join(c[k].split()) for k in ("text", "source", "how"))
        controls.append(
            Control(
                c["framework"], c["id"], c["title"], text, source, bool(c["quoted"]), how,
                tuple(c["shows"]), tuple(c["exceptions"]),
            )
        )  # fmt: skip
    return measures, controls


def measures(report: AuditReport) -> dict[str, int]:
    """Every measure named in the data file, computed from ``report``."""
    valid = [r for r in report.records if r.valid and r.record is not None]
    records = [r.record for r in valid if r.record is not None]
    needing = [c for c in report.commits if not c.records_only]
    found = report.findings
    triaged = found.triaged if found is not None else {}
    ai_unreviewed = sum(c.ai_lines for c in report.ai_unreviewed)
    return {
        "commits": len(needing),
        "approved_commits": len([c for c in needing if c.covered_by]),
        "unreviewed_commits": len(report.unreviewed),
        "valid_records": len(valid),
        "invalid_records": len(report.invalid),
        "reviewers": len({r.reviewer for r in valid}),
        "checklists_used": len({c.id for rec in records for c in rec.checklists}),
        "answers": sum(len(rec.answers) for rec in records),
        "open_failures": len(report.outstanding),
        "stale_reviews": len(report.stale),
        "findings_triaged": sum(triaged.values()),
        "findings_untriaged": len(found.open) if found is not None else 0,
        "accepted_risks": triaged.get("accepted-risk", 0),
        "ai_lines": sum(rec.ai.lines for rec in records) + ai_unreviewed,
        "ai_lines_unreviewed": ai_unreviewed,
    }


def period(report: AuditReport) -> dict[str, str | None]:
    """The span of history the audit covered: first and last audited commit (UTC dates)."""
    times = [c.time for c in report.commits]

    def day(t: int) -> str:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")

    return {
        "since": report.since,
        "from": day(min(times)) if times else None,
        "to": day(max(times)) if times else None,
        "generated": report.generated,
    }


def compliance(report: AuditReport) -> list[dict[str, Any]]:
    """Per control: its text and source, the evidence signoff shows, the period, the exceptions."""
    descriptions, controls = load_controls()
    values = measures(report)
    span = period(report)
    out = []
    for c in controls:
        exceptions = {m: values[m] for m in c.exceptions if values[m]}
        out.append(
            {
                "framework": c.framework,
                "control": c.id,
                "title": c.title,
                "text": c.text,
                "quoted": c.quoted,
                "source": c.source,
                "how": c.how,
                "period": span,
                "evidence": {m: {"value": values[m], "meaning": descriptions[m]} for m in c.shows},
                "exceptions": {m: {"value": v, "meaning": descriptions[m]} for m, v in exceptions.items()},
                "status": "exceptions" if exceptions else "no exceptions",
            }
        )
    return out
