"""Render an :class:`~signoff.audit.run.AuditReport` as text, JSON (``signoff.audit/1``) or Markdown.

Every string that came from the repository (paths, names, subjects, reasons) goes through
:func:`signoff.sanitize.visible`; Markdown output also escapes the characters Markdown would interpret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from signoff.audit.report import COVERAGE_RULE, AuditReport, CommitEntry, RecordEntry
from signoff.output.compliance import audit_json, compliance_markdown, compliance_text, untriaged_rows
from signoff.util.sanitize import visible

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _v(text: str) -> str:
    return visible(text or "")


def _md(text: str) -> str:
    """Repo text made inert for Markdown (e.g. a PR comment).

    Text that could mention someone (``@team``) or autolink (``https://``, ``www.``) goes into a code
    span, where GitHub makes neither; everything else has Markdown's special characters and ``&``
    (entities) escaped.
    """
    text = visible((text or "").replace("\n", " "))
    if "@" in text or "://" in text or "www." in text.lower():
        longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
        fence = "`" * (longest + 1)
        cell = text.replace("|", "\\|")  # a table cell ends at an unescaped pipe, even in code
        return f"{fence} {cell} {fence}"
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))


def _date(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")


def _validity(r: RecordEntry) -> str:
    if not r.valid:
        return r.status.value
    if r.stale and not r.superseded:
        return "valid, stale"
    if r.stale:
        return "valid, superseded"
    if not r.landed:
        return "valid, not merged"
    return "valid"


def render_json(report: AuditReport, *, pretty: bool = True) -> str:
    doc = audit_json(report)
    if pretty:
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def render_text(report: AuditReport, *, limit: int = 50) -> str:
    """A terminal report; long lists stop after ``limit`` lines each (JSON has everything)."""
    out: list[str] = []
    add = out.append
    tip = report.tip[:12] if report.tip else "(no commits)"
    scope = f" since {_v(report.since)}" if report.since else ""
    add(f"signoff audit of {_v(report.branch)} at {tip}{scope}")
    add(f"trust: {_v(report.trust or 'none')}")
    add(f"settings: {_v(report.settings or 'defaults')}")
    add(f"coverage: {COVERAGE_RULE}")
    s = report.to_json()["summary"]
    add(
        f"records: {s['records']} ({s['valid']} valid, {s['invalid']} not valid, {s['stale']} stale)  "
        f"commits: {s['commits']} ({s['unreviewed']} unreviewed)"
    )
    for w in report.warnings:
        add(f"warning: {_v(w)}")
    for title, rows in [*_text_sections(report), ("Compliance controls", compliance_text(report))]:
        if not rows:
            continue
        add("")
        add(f"{title} ({len(rows)})")
        out.extend(f"  {row}" for row in rows[:limit])
        if len(rows) > limit:
            add(f"  … {len(rows) - limit} more (see --format json)")
    add("")
    problems = report.problems()
    add("problems: " + "; ".join(problems) if problems else "no problems found")
    return "\n".join(out) + "\n"


def _text_sections(report: AuditReport) -> list[tuple[str, list[str]]]:
    """The text report's sections: title and one line per item."""
    return [
        (
            "Records not valid",
            [f"{r.status.value:<14} {_v(_where(r))}  {_v(r.reason)}" for r in report.invalid],
        ),
        ("Unreviewed commits", [_commit_line(c) for c in report.unreviewed]),
        (
            "AI-attributed lines never reviewed",
            [
                f"{c.sha[:12]} {c.ai_lines:>6} lines  {_v(c.ai_commits[0][1])}"
                + (f" (+{len(c.ai_commits) - 1} more commits)" if len(c.ai_commits) > 1 else "")
                for c in report.ai_unreviewed
            ],
        ),
        (
            "Failed answers with no later passing review",
            [
                f"{_v(f.question)} [{_v(f.severity) or '?'}] by {_v(f.reviewer)} {f.finished[:10]}"
                f"  {_v(f.record)}"
                for f in report.outstanding
            ],
        ),
        (
            "Scanner findings nobody triaged",
            [
                f"{_v(tool)} {_v(rule)} {_v(path)}:{line}  {_v(msg)}  ({_v(where)})"
                for tool, rule, path, line, msg, where in untriaged_rows(report)
            ],
        ),
        (
            "Stale reviews (reviewed paths changed since, no newer approval)",
            [
                f"{_v(r.path)} by {_v(r.reviewer)}: {', '.join(_v(p) for p in r.stale_paths[:5])}"
                + (" …" if len(r.stale_paths) > 5 else "")
                for r in report.stale
            ],
        ),
        (
            "Reviews",
            [
                f"{r.finished[:10]} {r.verdict or '-':<17} {_validity(r):<18} "
                f"{_v(r.reviewer)}  {_v(_where(r))}"
                for r in sorted(report.records, key=lambda r: r.finished, reverse=True)
            ],
        ),
        (
            "Reviewers",
            [
                f"{_v(st.reviewer)}: {st.records} records, {st.approvals} approvals, "
                f"{st.changes_requested} changes requested, {st.rejected} rejected, {st.invalid} not valid, "
                f"{st.commits_covered} commits covered, {st.stale} stale, last {st.last[:10] or '-'}"
                for st in report.reviewers
            ],
        ),
    ]


def _where(r: RecordEntry) -> str:
    return r.path if r.in_tree else f"{r.path} (history, {r.commit[:12]})"


def _commit_line(c: CommitEntry) -> str:
    ai = f"  [AI: {c.ai_lines} lines]" if c.ai_commits else ""
    merge = " (merge)" if c.is_merge else ""
    why = f"\n    not covered: {_v(c.not_covered[0])}" if c.not_covered else ""
    return f"{c.sha[:12]} {_date(c.time)} {_v(c.author)}  {_v(c.subject)}{merge}{ai}{why}"


def render_markdown(report: AuditReport, *, limit: int = 200) -> str:
    """A Markdown report for a compliance folder or a pull-request comment."""
    out: list[str] = []
    add = out.append
    s = report.to_json()["summary"]
    tip = f"`{report.tip[:12]}`" if report.tip else "(no commits)"
    add(f"# signoff audit: {_md(report.branch)} at {tip}")
    add("")
    add(
        f"Generated {report.generated}"
        + (f", history since {_md(report.since)}" if report.since else "")
        + f". Trust: {_md(report.trust or 'none')}. Settings: {_md(report.settings or 'defaults')}."
    )
    add("")
    add(f"Coverage: {_md(COVERAGE_RULE)}.")
    add("")
    problems = report.problems()
    add("**Result: " + ("problems found**" if problems else "no problems found**"))
    for p in problems:
        add(f"- {_md(p)}")
    add("")
    add("| records | valid | not valid | stale | commits | unreviewed | AI lines unreviewed | failed open |")
    add("|---:|---:|---:|---:|---:|---:|---:|---:|")
    add(
        f"| {s['records']} | {s['valid']} | {s['invalid']} | {s['stale']} | {s['commits']} | "
        f"{s['unreviewed']} | {s['ai_unreviewed_lines']} | {s['failed_outstanding']} |"
    )
    for title, head, rows in [*_md_problem_tables(report), *_md_history_tables(report)]:
        if not rows:
            continue
        add("")
        add(f"## {title} ({len(rows)})")
        add("")
        add("| " + " | ".join(head) + " |")
        add("|" + "---|" * len(head))
        for row in rows[:limit]:
            add("| " + " | ".join(row) + " |")
        if len(rows) > limit:
            add("")
            add(f"… {len(rows) - limit} more (see the JSON report).")
    out.extend(compliance_markdown(report, _md))
    return "\n".join(out) + "\n"


_Table = tuple[str, list[str], list[list[str]]]


def _md_problem_tables(report: AuditReport) -> list[_Table]:
    """Markdown tables of what needs attention: title, header, rows."""
    return [
        (
            "Records not valid",
            ["record", "status", "reason"],
            [[_md(_where(r)), r.status.value, _md(r.reason)] for r in report.invalid],
        ),
        (
            "Unreviewed commits",
            ["commit", "date", "author", "subject", "AI lines", "approvals that do not cover it"],
            [
                [
                    f"`{c.sha[:12]}`",
                    _date(c.time),
                    _md(c.author),
                    _md(c.subject),
                    str(c.ai_lines) if c.ai_commits else "",
                    "; ".join(_md(w) for w in c.not_covered[:3]),
                ]
                for c in report.unreviewed
            ],
        ),
        (
            "Failed answers with no later passing review",
            ["question", "severity", "reviewer", "date", "record"],
            [
                [_md(f.question), _md(f.severity), _md(f.reviewer), f.finished[:10], _md(f.record)]
                for f in report.outstanding
            ],
        ),
        (
            "Scanner findings nobody triaged",
            ["tool", "rule", "location", "message", "listed by"],
            [
                [_md(tool), _md(rule), f"{_md(path)}:{line}", _md(msg), _md(where)]
                for tool, rule, path, line, msg, where in untriaged_rows(report)
            ],
        ),
        (
            "Stale reviews",
            ["record", "reviewer", "changed paths"],
            [
                [_md(r.path), _md(r.reviewer), ", ".join(_md(p) for p in r.stale_paths[:5])]
                for r in report.stale
            ],
        ),
    ]


def _md_history_tables(report: AuditReport) -> list[_Table]:
    """Markdown tables of the review history: reviews, line comments, reviewers."""
    newest_first = sorted(report.records, key=lambda r: r.finished, reverse=True)
    return [
        (
            "Reviews",
            ["date", "reviewer", "verdict", "validity", "commits covered", "record"],
            [
                [
                    r.finished[:10],
                    _md(r.reviewer),
                    r.verdict,
                    _md(_validity(r)),
                    str(len(r.covers)),
                    _md(_where(r)),
                ]
                for r in newest_first
            ],
        ),
        (
            "Line comments",
            ["date", "reviewer", "validity", "where", "comment"],
            [
                [r.finished[:10], _md(r.reviewer), _md(_validity(r)), _md(f"{c.path}:{c.lines}"), _md(c.text)]
                for r in newest_first
                if r.record is not None
                for c in r.record.comments or []
            ],
        ),
        (
            "Reviewers",
            [
                *("reviewer", "records", "approvals", "changes requested"),
                *("rejected", "not valid", "commits covered"),
            ],
            [
                [
                    _md(st.reviewer),
                    str(st.records),
                    str(st.approvals),
                    str(st.changes_requested),
                    str(st.rejected),
                    str(st.invalid),
                    str(st.commits_covered),
                ]
                for st in report.reviewers
            ],
        ),
    ]


RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
