"""Line-level AI attribution from open formats, read as untrusted input.

- **Agent Trace** (https://github.com/cursor/agent-trace, spec 0.1, RFC of January 2026): JSON trace
  records (``version``, ``id``, ``timestamp``, ``vcs {type, revision}``, ``tool {name, version}``,
  ``files [{path, conversations [{contributor {type, model_id}, ranges [{start_line, end_line,
  contributor?}]}]}]``). Read from git notes ``refs/notes/agent-trace`` (a record or a JSON array of
  records per commit; ranges in that commit's version of the file) and from the reference
  implementation's ``.agent-trace/traces.jsonl`` in the reviewed head (one record per line; ranges in
  the version of ``vcs.revision``, or - as the reference hook records ``HEAD`` before the edit is
  committed - in the range's commit whose first parent is that revision). Contributor types ``ai`` and
  ``mixed`` count; ``human`` and ``unknown`` do not. Content hashes are not checked.
- **whogitit** (https://github.com/dotsetlabs/whogitit, docs/src/reference/data-formats.md, version
  2/3): one JSON ``AIAttribution`` per commit in ``refs/notes/whogitit``; ``files[].lines[]`` with
  ``line_number`` and ``source.type`` ``AI`` / ``AIModified`` count, in that commit's version.
- ``refs/notes/srctrace/attribution``: no published format was found, so it is not read.

Every input is size-capped and parsed strictly: what does not fit the schema is skipped and counted in
one warning per source. These notes only *add* exact AI lines; they never clear a commit's signals.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from signoff.git.objects import read_objects
from signoff.git.runner import Git

AGENT_TRACE_REF = "refs/notes/agent-trace"
WHOGITIT_REF = "refs/notes/whogitit"
TRACES_PATH = ".agent-trace/traces.jsonl"
#: Caps on untrusted input.
MAX_NOTE_BYTES = 4 << 20
MAX_TRACES_BYTES = 16 << 20
MAX_RECORDS = 20_000
MAX_RANGES = 200_000
MAX_LINE = 10_000_000
MAX_TEXT = 250


@dataclass
class LineNotes:
    """Per commit: path -> [(start, end, label)] of lines the notes call AI (in that commit's version)."""

    spans: dict[str, dict[str, list[tuple[int, int, str]]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    problems: Counter[str] = field(default_factory=Counter)
    ranges: int = 0

    def add(self, commit: str, path: str, start: int, end: int, label: str) -> None:
        if self.ranges >= MAX_RANGES:
            self.problems[f"more than {MAX_RANGES} ranges: the rest ignored"] += 1
            return
        self.ranges += 1
        self.spans.setdefault(commit, {}).setdefault(path, []).append((start, end, label))

    def lines(self, commit: str) -> int:
        return sum(e - s + 1 for spans in self.spans.get(commit, {}).values() for s, e, _ in spans)

    def label_at(self, commit: str, path: str, line: int) -> str | None:
        for start, end, label in self.spans.get(commit, {}).get(path, ()):
            if start <= line <= end:
                return label
        return None

    def commits(self) -> set[str]:
        return set(self.spans)


def _text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _line(value: Any) -> int | None:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_LINE else None
    )


def _contributor_ai(c: Any, inherited: bool) -> bool:
    if isinstance(c, dict) and isinstance(c.get("type"), str):
        return c["type"] in ("ai", "mixed")
    return inherited


def _trace_record(rec: Any, commit: str, notes: LineNotes, where: str) -> None:
    """Add one Agent Trace record's AI ranges for ``commit``."""
    files = rec.get("files") if isinstance(rec, dict) else None
    if not isinstance(rec, dict) or not isinstance(rec.get("version"), str) or not isinstance(files, list):
        notes.problems[f"{where}: not an Agent Trace record"] += 1
        return
    tool = _text((rec.get("tool") or {}).get("name")) if isinstance(rec.get("tool"), dict) else ""
    for f in files:
        path = f.get("path") if isinstance(f, dict) else None
        convs = f.get("conversations") if isinstance(f, dict) else None
        if not isinstance(path, str) or not path or not isinstance(convs, list):
            notes.problems[f"{where}: file entry without path or conversations"] += 1
            continue
        for conv in convs:
            if not isinstance(conv, dict) or not isinstance(conv.get("ranges"), list):
                notes.problems[f"{where}: conversation without ranges"] += 1
                continue
            contributor = conv.get("contributor")
            ai = _contributor_ai(contributor, False)
            model = _text(contributor.get("model_id")) if isinstance(contributor, dict) else ""
            for r in conv["ranges"]:
                start, end = (
                    (_line(r.get("start_line")), _line(r.get("end_line")))
                    if isinstance(r, dict)
                    else (None, None)
                )
                if start is None or end is None or end < start:
                    notes.problems[f"{where}: bad range"] += 1
                    continue
                if _contributor_ai(r.get("contributor"), ai):
                    label = " / ".join(x for x in (tool or "unknown tool", model) if x)
                    notes.add(commit, path, start, end, f"Agent Trace: {label}")


def _whogitit(doc: Any, commit: str, notes: LineNotes) -> None:
    where = "refs/notes/whogitit"
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or not isinstance(files, list):
        notes.problems[f"{where}: not a whogitit attribution"] += 1
        return
    session = doc.get("session")
    model = session.get("model") if isinstance(session, dict) else None
    model_id = _text(model.get("id")) if isinstance(model, dict) else ""
    label = f"whogitit: {model_id or 'unknown model'}"
    for f in files:
        path = f.get("path") if isinstance(f, dict) else None
        lines = f.get("lines") if isinstance(f, dict) else None
        if not isinstance(path, str) or not path or not isinstance(lines, list):
            notes.problems[f"{where}: file entry without path or lines"] += 1
            continue
        for ln in lines:
            n = _line(ln.get("line_number")) if isinstance(ln, dict) else None
            src = ln.get("source") if isinstance(ln, dict) else None
            kind = src.get("type") if isinstance(src, dict) else src
            if n is None or not isinstance(kind, str):
                notes.problems[f"{where}: bad line entry"] += 1
                continue
            if kind in ("AI", "AIModified", "ai", "ai_modified"):
                notes.add(commit, path, n, n, label)


def _json(data: bytes, notes: LineNotes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        notes.problems[f"{where}: not valid JSON"] += 1
        return None


def _note_blobs(git: Git, ref: str, commits: set[str], notes: LineNotes) -> dict[str, bytes]:
    """``commit -> note text`` for the range's commits annotated under ``ref`` (size-capped)."""
    if not git.ref_exists(ref):
        return {}
    listing = git.run(["notes", f"--ref={ref}", "list"]).decode("ascii", "replace").split("\n")
    wanted = {}
    for line in listing:
        parts = line.split()
        if len(parts) == 2 and parts[1] in commits:
            wanted[parts[0]] = parts[1]
    sizes = git.run(
        ["cat-file", "--batch-check=%(objectname) %(objectsize)"], input="\n".join(wanted).encode()
    )
    ok = []
    for line in sizes.decode("ascii", "replace").split("\n"):
        parts = line.split()
        if len(parts) == 2 and parts[0] in wanted:
            if int(parts[1]) > MAX_NOTE_BYTES:
                notes.problems[f"{ref}: note over {MAX_NOTE_BYTES >> 20} MiB skipped"] += 1
            else:
                ok.append(parts[0])
    return {wanted[oid]: body for oid, (_, kind, body) in read_objects(git, ok).items() if kind == b"blob"}


def read_line_notes(git: Git, head: str, parents: dict[str, tuple[str, ...]]) -> LineNotes:
    """Every AI line the open formats declare for the range's commits (``parents``: the range)."""
    notes = LineNotes()
    commits = set(parents)
    for commit, body in _note_blobs(git, AGENT_TRACE_REF, commits, notes).items():
        doc = _json(body, notes, AGENT_TRACE_REF)
        for rec in (doc if isinstance(doc, list) else [doc] if doc is not None else [])[:MAX_RECORDS]:
            _trace_record(rec, commit, notes, AGENT_TRACE_REF)
    for commit, body in _note_blobs(git, WHOGITIT_REF, commits, notes).items():
        doc = _json(body, notes, WHOGITIT_REF)
        if doc is not None:
            _whogitit(doc, commit, notes)
    _traces_file(git, head, parents, notes)
    for problem, n in sorted(notes.problems.items()):
        notes.warnings.append(f"{problem} ({n}x)")
    return notes


def _traces_file(git: Git, head: str, parents: dict[str, tuple[str, ...]], notes: LineNotes) -> None:
    spec = f"{head}:{TRACES_PATH}"
    size = git.run(["cat-file", "--batch-check=%(objecttype) %(objectsize)"], input=spec.encode()).split()
    if len(size) != 2 or size[0] != b"blob":
        return
    if int(size[1]) > MAX_TRACES_BYTES:
        notes.problems[f"{TRACES_PATH}: over {MAX_TRACES_BYTES >> 20} MiB, not read"] += 1
        return
    body = read_objects(git, [spec]).get(spec)
    if body is None:
        return
    child = {ps[0]: c for c, ps in parents.items() if ps}
    for i, raw in enumerate(body[2].split(b"\n")):
        if i >= MAX_RECORDS:
            notes.problems[f"{TRACES_PATH}: records past {MAX_RECORDS} ignored"] += 1
            break
        if not raw.strip():
            continue
        rec = _json(raw, notes, TRACES_PATH)
        vcs = rec.get("vcs") if isinstance(rec, dict) else None
        rev = vcs.get("revision") if isinstance(vcs, dict) and vcs.get("type") == "git" else None
        commit = rev if rev in parents else child.get(rev) if isinstance(rev, str) else None
        if rec is None:
            continue
        if commit is None:
            notes.problems[f"{TRACES_PATH}: record for a revision outside the range"] += 1
            continue
        _trace_record(rec, commit, notes, TRACES_PATH)
