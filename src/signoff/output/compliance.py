"""The audit's findings and compliance sections, as text and Markdown rows (JSON: :func:`audit_json`)."""

from __future__ import annotations

from typing import Any

from signoff.audit.compliance import compliance
from signoff.audit.report import AuditReport


def audit_json(report: AuditReport) -> dict[str, Any]:
    """The ``signoff.audit/1`` document with its ``compliance`` section."""
    doc = report.to_json()
    doc["compliance"] = compliance(report)
    return doc


def untriaged_rows(report: AuditReport) -> list[tuple[str, str, str, int, str, str]]:
    """``(tool, rule, path, line, message, where)`` for each finding nobody triaged."""
    if report.findings is None:
        return []
    return [
        (f.tool, f.rule, f.path, f.line, f.message, f.record or "scanner output for the tip")
        for f in report.findings.open
    ]


def _period(p: dict[str, Any]) -> str:
    span = f"{p['from']} to {p['to']}" if p["from"] else "no commits"
    return span + (f" (since {p['since']})" if p["since"] else "")


def compliance_markdown(report: AuditReport, md: Any) -> list[str]:
    """A Markdown section: per control, what signoff shows, the period and the exceptions."""
    rows = compliance(report)
    out = ["", "## Compliance mapping", ""]
    out.append(
        "What this audit is evidence for, per control. Exceptions are the items listed above; "
        "control texts and their sources are in `signoff/data/compliance.toml`."
    )
    out += ["", "| framework | control | what signoff shows | period | exceptions |", "|---|---|---|---|---|"]
    for c in rows:
        shows = "; ".join(f"{e['value']} {e['meaning']}" for e in c["evidence"].values())
        exc = "; ".join(f"**{e['value']}** {e['meaning']}" for e in c["exceptions"].values()) or "none"
        out.append(
            f"| {md(c['framework'])} | {md(c['control'])} {md(c['title'])} | {md(c['how'])} {md(shows)} "
            f"| {md(_period(c['period']))} | {exc} |"
        )
    out += ["", "Control texts and sources:", ""]
    for c in rows:
        kind = "quoted" if c["quoted"] else "summary"
        out.append(
            f"- **{md(c['framework'])} {md(c['control'])}** ({kind}): {md(c['text'])} — {md(c['source'])}"
        )
    return out


def compliance_text(report: AuditReport) -> list[str]:
    out = []
    for c in compliance(report):
        exc = ", ".join(f"{k} {e['value']}" for k, e in c["exceptions"].items()) or "no exceptions"
        out.append(f"{c['framework']} {c['control']} ({c['title']}): {exc}")
    return out
