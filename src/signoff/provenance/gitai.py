"""Git AI authorship logs (``refs/notes/ai``, schema ``authorship/3.0.0``): exact AI line ranges per commit.

A note holds an attestation section (a file path at the line start, quoted when it holds spaces; then
lines indented two spaces: ``<session hash> <ranges>`` with ranges like ``1-4,9,12-20``, 1-based, in that
commit's version of the file), a line ``---``, and a JSON object (``schema_version``, ``base_commit_sha``,
``prompts`` keyed by session hash with ``agent_id.tool`` / ``agent_id.model`` / ``human_author``).
Malformed input never raises: what cannot be read is skipped and counted in ``problems``.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

NOTES_REF = "refs/notes/ai"
_ENTRY = re.compile(r"^  ([0-9a-fA-F]{7,64}) ([0-9,\-]+)\s*$")
#: Refuse absurd ranges from an untrusted note (a single range may not exceed this many lines).
MAX_LINE = 10_000_000


@dataclass
class Session:
    hash: str
    tool: str = ""
    model: str = ""
    human_author: str = ""

    def label(self) -> str:
        parts = [p for p in (self.tool, self.model) if p]
        return " / ".join(parts) if parts else f"session {self.hash}"


@dataclass
class GitAiNote:
    """One commit's authorship log."""

    #: path -> sorted, merged [(start, end, session hash)] (inclusive, 1-based)
    ranges: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    schema_version: str = ""
    base_commit_sha: str = ""
    problems: int = 0
    _starts: dict[str, list[int]] = field(default_factory=dict, repr=False)

    @property
    def ai_lines(self) -> int:
        return sum(e - s + 1 for spans in self.ranges.values() for s, e, _ in spans)

    def session_at(self, path: str, line: int) -> Session | None:
        """The session that wrote ``line`` of ``path`` (in this commit's version), or ``None``."""
        spans = self.ranges.get(path)
        if not spans:
            return None
        starts = self._starts.get(path)
        if starts is None:
            starts = self._starts[path] = [s for s, _, _ in spans]
        i = bisect.bisect_right(starts, line) - 1
        if i >= 0 and spans[i][0] <= line <= spans[i][1]:
            h = spans[i][2]
            return self.sessions.get(h) or Session(h)
        return None

    def tools(self) -> list[str]:
        return sorted({s.label() for h in self._used() for s in [self.sessions.get(h) or Session(h)]})

    def _used(self) -> set[str]:
        return {h for spans in self.ranges.values() for _, _, h in spans}


def _unquote(path: str) -> str:
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        inner = path[1:-1]
        if "\\" in inner:
            try:
                return inner.encode("latin-1", "backslashreplace").decode("unicode_escape")
            except UnicodeDecodeError:
                return inner
        return inner
    return path


def _parse_ranges(spec: str) -> list[tuple[int, int]] | None:
    out = []
    for part in spec.split(","):
        if not part:
            continue
        a, sep, b = part.partition("-")
        if not a.isdigit() or (sep and not b.isdigit()):
            return None
        start, end = int(a), int(b) if sep else int(a)
        if start < 1 or end < start or end - start > MAX_LINE:
            return None
        out.append((start, end))
    return out


def parse_note(text: str) -> GitAiNote | None:
    """Parse one note; ``None`` when it is not a git-ai authorship log at all."""
    attestation, sep, meta_text = text.partition("\n---\n")
    if not sep:
        if text.startswith("---\n"):
            attestation, meta_text = "", text[4:]
        elif text.rstrip("\n").endswith("\n---") or text.rstrip("\n") == "---":
            attestation, meta_text = text.rstrip("\n")[:-3], ""
        else:
            return None
    note = GitAiNote()
    try:
        meta = json.loads(meta_text) if meta_text.strip() else {}
    except (ValueError, RecursionError):
        meta = {}
        note.problems += 1
    if not isinstance(meta, dict):
        meta, note.problems = {}, note.problems + 1
    note.schema_version = str(meta.get("schema_version", ""))
    note.base_commit_sha = str(meta.get("base_commit_sha", ""))
    if note.schema_version and not note.schema_version.startswith("authorship/"):
        return None
    prompts = meta.get("prompts")
    if isinstance(prompts, dict):
        for h, rec in prompts.items():
            if not isinstance(rec, dict):
                continue
            agent_id = rec.get("agent_id")
            agent: dict[str, Any] = agent_id if isinstance(agent_id, dict) else {}
            note.sessions[str(h)] = Session(
                str(h),
                tool=str(agent.get("tool", "") or ""),
                model=str(agent.get("model", "") or ""),
                human_author=str(rec.get("human_author", "") or ""),
            )
    path: str | None = None
    raw: dict[str, list[tuple[int, int, str]]] = {}
    for line in attestation.split("\n"):
        if not line.strip():
            continue
        if not line[0].isspace():
            path = _unquote(line.rstrip())
            continue
        m = _ENTRY.match(line)
        parsed = _parse_ranges(m.group(2)) if m else None
        if path is None or m is None or parsed is None:
            note.problems += 1
            continue
        raw.setdefault(path, []).extend((s, e, m.group(1)) for s, e in parsed)
    for p, spans in raw.items():
        spans.sort()
        merged: list[tuple[int, int, str]] = []
        for s, e, h in spans:
            if merged and s <= merged[-1][1] + 1 and merged[-1][2] == h:
                ps, pe, _ = merged[-1]
                merged[-1] = (ps, max(pe, e), h)
            elif merged and s <= merged[-1][1]:
                # overlapping ranges of different sessions: keep the earlier one's lines
                if e > merged[-1][1]:
                    merged.append((merged[-1][1] + 1, e, h))
            else:
                merged.append((s, e, h))
        note.ranges[p] = merged
    return note
