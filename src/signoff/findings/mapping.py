"""Which checklist question a scanner finding belongs to: rule id, CWE or tag -> question id.

The shipped table is ``signoff/data/findings_map.toml`` (its header documents the order of matching);
a repository adds to or overrides it with ``.signoff/findings-map.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from signoff.checklists.model import ChecklistSet
from signoff.errors import UsageError
from signoff.findings.sarif import RawFinding
from signoff.util.sanitize import visible

REPO_MAP = Path(".signoff") / "findings-map.toml"
_MAP_LIMIT = 1024 * 1024


# -- mapping ---------------------------------------------------------------------------------------


@dataclass
class FindingsMap:
    """Rule / CWE / tag -> question id, from the shipped data file, overridden by the repository's."""

    rules: dict[str, str]
    cwe: dict[str, str]
    tags: dict[str, str]
    default: str
    checklist_cwe: dict[str, str] = field(default_factory=dict)

    def question_for(self, f: RawFinding) -> str:
        tool = f.tool.lower()
        key = f"{tool}:{f.rule}"
        if key in self.rules:
            return self.rules[key]
        prefixed = [k for k in self.rules if k.endswith("*") and key.startswith(k[:-1])]
        if prefixed:
            return self.rules[max(prefixed, key=len)]
        for cwe in f.cwe:
            if cwe in self.cwe:
                return self.cwe[cwe]
        for cwe in f.cwe:
            if cwe in self.checklist_cwe:
                return self.checklist_cwe[cwe]
        for tag in f.tags:
            if tag in self.tags:
                return self.tags[tag]
        return self.default


def _parse_map(text: str, source: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{source}: not valid TOML: {exc}") from None
    for table in ("rules", "cwe", "tags"):
        entries = data.get(table, {})
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise UsageError(f"{source}: [{table}] must map strings to question ids")
    unknown = set(data) - {"schema", "default", "rules", "cwe", "tags"}
    if unknown:
        raise UsageError(f"{source}: unknown key {visible(sorted(unknown)[0])}")
    return data


def load_map(repo_map: bytes | None, checklists: ChecklistSet | None = None) -> FindingsMap:
    """The shipped mapping with the repository's ``.signoff/findings-map.toml`` (``repo_map``, as committed
    on the target branch) on top; ids checked against ``checklists``."""
    shipped = resources.files("signoff").joinpath("data/findings_map.toml").read_text(encoding="utf-8")
    data = _parse_map(shipped, "findings_map.toml")
    fmap = FindingsMap(
        dict(data.get("rules", {})), dict(data.get("cwe", {})), dict(data.get("tags", {})), data["default"]
    )
    if repo_map is not None:
        if len(repo_map) > _MAP_LIMIT:
            raise UsageError(f"{REPO_MAP}: larger than {_MAP_LIMIT} bytes")
        repo = _parse_map(repo_map.decode("utf-8", errors="replace"), str(REPO_MAP))
        fmap.rules.update(repo.get("rules", {}))
        fmap.cwe.update(repo.get("cwe", {}))
        fmap.tags.update({k.lower(): v for k, v in repo.get("tags", {}).items()})
        fmap.default = repo.get("default", fmap.default)
    if checklists is not None:
        known = {q.id for q in checklists.questions}
        for q in checklists.questions:
            for ref in q.references:
                if ref.startswith("CWE-"):
                    fmap.checklist_cwe.setdefault(ref, q.id)
        for table in (fmap.rules, fmap.cwe, fmap.tags):
            for k, v in list(table.items()):
                if v not in known:
                    table[k] = fmap.default
        if fmap.default not in known:
            fmap.default = next(iter(sorted(known)), "")
    return fmap
