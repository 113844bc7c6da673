"""SARIF 2.1.0 output for ``signoff scan --format sarif``: questions are rules, hits are results.

Accepted by GitHub code scanning: every result has a ruleId, level, message and a physical location with
a repository-relative URI and a start line >= 1, plus a partial fingerprint so alerts track across pushes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from signoff import __version__
from signoff.checklists.model import Question
from signoff.relevance.model import Hit, Relevance
from signoff.util.sanitize import markdown_block, markdown_inline, visible

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/signoff/signoff"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
#: GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low (< 4.0).
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.5"}


def _tags(q: Question) -> list[str]:
    tags = ["security", q.checklist_id]
    for ref in q.references:
        if ref.startswith("CWE-"):
            tags.append(f"external/cwe/cwe-{ref[4:]}")
        elif ref.endswith(":2021"):
            tags.append(f"external/owasp/{ref.lower()}")
    return tags


def rule(q: Question) -> dict[str, Any]:
    # Question text and guidance may come from the repository's checklists: plain visible text, and
    # Markdown in which nothing is live (escaped inline text, guidance in a fence it cannot close).
    help_text = visible(q.guidance.strip() or q.text, keep_newlines=True)
    text = visible(q.text)
    refs = visible(", ".join(q.references))
    return {
        "id": q.id,
        "name": "".join(part.capitalize() for part in q.id.replace(".", "-").split("-")),
        "shortDescription": {"text": text},
        "fullDescription": {"text": text + (f" ({refs})" if refs else "")},
        "help": {
            "text": help_text,
            "markdown": f"**{markdown_inline(q.text)}**\n\n{markdown_block(help_text)}",
        },
        "defaultConfiguration": {"level": _LEVEL.get(q.severity, "warning")},
        "properties": {
            "security-severity": _SECURITY_SEVERITY.get(q.severity, "5.0"),
            "problem.severity": "error" if q.severity in ("critical", "high") else "warning",
            "tags": _tags(q),
        },
    }


def _fingerprint(q: Question, h: Hit) -> str:
    basis = "\0".join((q.id, h.path, h.side, h.trigger, h.pattern, h.text.strip()))
    return hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()


def _result(q: Question, index: int, h: Hit) -> dict[str, Any]:
    line = h.new_line if h.side == "old" and h.new_line else h.line
    what = {
        "added": "added line",
        "removed": "removed line",
        "path": "changed file",
        "language": "changed file",
        "finding": "scanner finding",
    }
    message = f"{q.text} [{what.get(h.trigger, h.trigger)}]"
    if h.trigger == "removed":
        message += f" removed at old line {h.line}: {h.text}"
    elif h.trigger in ("ai", "finding"):
        message += f" {h.text}"  # the AI reason; the scanner's tool, rule and message
    return {
        "ruleId": q.id,
        "ruleIndex": index,
        "level": _LEVEL.get(q.severity, "warning"),
        "message": {"text": visible(message)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(h.path), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(1, line or 1)},
                }
            }
        ],
        "partialFingerprints": {"signoffHit/v1": _fingerprint(q, h)},
    }


def _uri(path: str) -> str:
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def sarif_document(rel: Relevance) -> dict[str, Any]:
    """The SARIF log: one run, rules for the triggered questions (``hitCount``), one result per hit."""
    rules: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for r in rel.triggered:
        if not r.hits:
            continue  # "always" questions have no location to report
        index = len(rules)
        rules.append(rule(r.question))
        rules[-1]["properties"]["hitCount"] = r.hit_count
        results += [_result(r.question, index, h) for h in r.hits]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "signoff",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {"checklists": rel.checklists.manifest()},
            }
        ],
    }


def render_sarif(rel: Relevance) -> str:
    return json.dumps(sarif_document(rel), indent=2, ensure_ascii=True) + "\n"
