"""Render scan results as text or JSON (schema ``signoff.scan/1``, documented in docs/scan-schema.md)."""

from __future__ import annotations

import json
from typing import Any

from signoff import __version__
from signoff.analysis import ScanResult
from signoff.diff.model import STATUS_MARK, FileDiff
from signoff.util.sanitize import visible

SCAN_SCHEMA = "signoff.scan/1"


def file_json(f: FileDiff) -> dict[str, Any]:
    return {
        "path": f.path,
        "old_path": f.old_path,
        "new_path": f.new_path,
        "status": str(f.status),
        "similarity": f.similarity,
        "old_mode": f.old_mode or None,
        "new_mode": f.new_mode or None,
        "old_blob": f.old_blob,
        "new_blob": f.new_blob,
        "old_size": f.old_size,
        "new_size": f.new_size,
        "binary": f.binary,
        "too_large": f.too_large,
        "submodule": f.is_submodule,
        "symlink": f.is_symlink,
        "untracked": f.untracked,
        "security_config": f.security_config,
        "missing_object": f.missing_object,
        "added": f.added,
        "removed": f.removed,
        "hunks": len(f.hunks),
    }


def scan_json(result: ScanResult) -> dict[str, Any]:
    """The JSON document for a scan (a plain dict; sections are added by later stages)."""
    t = result.target
    diff = result.diff
    doc: dict[str, Any] = {
        "schema": SCAN_SCHEMA,
        "tool": {"name": "signoff", "version": __version__},
        "target": {
            "kind": t.kind,
            "spec": t.spec,
            "base": t.base,
            "head": t.head,
            "untracked": t.untracked,
        },
        "patch_sha256": diff.patch_sha256,
        "totals": {"files": len(diff.files), "added": diff.added, "removed": diff.removed},
        "files": [file_json(f) for f in diff.files],
        "missing_objects": [m.to_json() for m in diff.missing],
    }
    if result.ai is not None:
        doc["ai"] = result.ai.to_json()
    if result.questions is not None:
        doc["questions"] = result.questions.to_json()
    if result.findings is not None:
        doc["findings"] = result.findings.to_json()
    return doc


def render_json(result: ScanResult, *, pretty: bool = False) -> str:
    """JSON text; compact (C encoder, fast on big diffs) unless ``pretty``."""
    return json.dumps(scan_json(result), indent=2 if pretty else None, ensure_ascii=True) + "\n"


def _flags(f: FileDiff) -> str:
    flags = []
    if f.security_config:
        flags.append("security config")
    if f.missing_object:
        flags.append("missing object: not shown")
    if f.binary:
        flags.append("binary")
    if f.too_large:
        flags.append("too large to show")
    if f.is_submodule:
        flags.append("submodule")
    if f.is_symlink:
        flags.append("symlink")
    if f.untracked:
        flags.append("untracked")
    if f.mode_changed:
        flags.append(f"mode {f.old_mode}->{f.new_mode}")
    return f"  [{', '.join(flags)}]" if flags else ""


def render_text(result: ScanResult) -> str:
    """A readable summary: the target, then one line per file with status and +/- counts."""
    t = result.target
    diff = result.diff
    lines = []
    if t.kind == "range":
        lines.append(f"Reviewing {visible(t.spec)}: {t.base[:12]}..{(t.head or '')[:12]}")
    else:
        lines.append(f"Reviewing {t.kind} changes against {t.base[:12]}")
    lines.append(f"{len(diff.files)} files changed, +{diff.added} -{diff.removed}")
    sensitive = sum(f.security_config for f in diff.files)
    if sensitive:
        lines.append(
            f"NOTE: this change changes review or CI configuration ({sensitive} file(s), listed first): "
            "check them before anything else"
        )
    lines.extend(f"warning: {visible(m.warning())}" for m in diff.missing)
    lines.append("")
    width = max((len(str(f.added)) + len(str(f.removed)) for f in diff.files), default=2) + 3
    for f in diff.files:
        mark = STATUS_MARK.get(str(f.status), "?")
        counts = f"+{f.added} -{f.removed}".ljust(width)
        name = visible(f.path)
        if f.old_path and f.new_path and f.old_path != f.new_path:
            sim = f" ({f.similarity}%)" if f.similarity is not None else ""
            name = f"{visible(f.old_path)} -> {visible(f.new_path)}{sim}"
        lines.append(f"{mark} {counts} {name}{_flags(f)}")
    if result.ai is not None:
        lines.append("")
        lines.extend(visible(line) for line in result.ai.summary_lines())
    if result.questions is not None:
        lines.append("")
        lines.extend(result.questions.text_lines())
    if result.findings is not None:
        lines.append("")
        lines.extend(result.findings.text_lines())
    return "\n".join(lines) + "\n"
