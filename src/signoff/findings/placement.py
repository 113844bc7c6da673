"""Scanner findings on the change: placed on the diff, tied to checklist questions, triaged by the reviewer.

:func:`collect` reads the SARIF files (``--findings`` and ``[findings] sarif`` in the config), keeps the
findings in changed files — on changed lines, or flagged ``changed = False`` on unchanged lines of those
files — and maps each to a question (:class:`FindingsMap`). :func:`attach` adds them to the relevance
result as hits with trigger ``finding``, so the walk-through shows "Bandit B608" under the SQL question,
and makes their questions relevant.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from signoff.config import CONFIG_PATH, section
from signoff.diff.model import Diff, FileDiff
from signoff.errors import UsageError
from signoff.findings.mapping import FindingsMap
from signoff.findings.sarif import FindingsError, RawFinding, load_sarif
from signoff.git.objects import read_objects
from signoff.git.runner import Git
from signoff.relevance.model import Hit, Relevance
from signoff.util.sanitize import visible

TRIAGE = ("true-positive", "false-positive", "accepted-risk")


@dataclass(frozen=True)
class Finding:
    """A finding in a changed file, with where it sits and which question it belongs to."""

    raw: RawFinding
    #: On an added/modified line of the change (False: an unchanged line of a changed file).
    changed: bool
    question: str
    #: sha256 of tool, rule, path and the flagged line's text: survives line moves, not edits.
    fingerprint: str

    @property
    def id(self) -> str:
        """Stable, readable key used in answers files: ``tool:rule@path:line``."""
        r = self.raw
        return f"{r.tool.lower()}:{r.rule}@{r.path}:{r.line}"

    def to_json(self) -> dict[str, Any]:
        r = self.raw
        return {
            "id": self.id,
            "tool": r.tool,
            "rule": r.rule,
            "level": r.level,
            "message": r.message,
            "path": r.path,
            "line": r.line,
            "changed": self.changed,
            "question": self.question,
            "cwe": list(r.cwe),
            "fingerprint": self.fingerprint,
            "source": r.source,
        }


@dataclass
class Findings:
    """What the SARIF inputs said about this change."""

    items: list[Finding] = field(default_factory=list)
    #: Results in files the change does not touch (not shown).
    outside: int = 0
    #: One line per SARIF file that could not be used ("FILE: problem").
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [f.to_json() for f in self.items],
            "outside_change": self.outside,
            "errors": list(self.errors),
        }

    def text_lines(self) -> list[str]:
        out = [f"Findings: {len(self.items)} in changed files ({self.outside} elsewhere not shown)"]
        for f in self.items:
            r = f.raw
            where = "" if f.changed else " (unchanged line)"
            out.append(
                f"  [{r.level.upper():7}] {visible(r.tool)} {visible(r.rule)} "
                f"{visible(r.path)}:{r.line}{where} -> {f.question}: {visible(r.message)}"
            )
        out += [f"  error: {e}" for e in self.errors]
        return out


# -- placing findings on the diff ------------------------------------------------------------------


def sarif_paths(git: Git, given: Sequence[str], config: dict[str, Any] | None = None) -> list[str]:
    """``--findings`` files, or else ``[findings] sarif`` from ``config`` (the target branch's committed
    ``.signoff/config.toml``: a change cannot empty the list to hide findings on itself).

    Config paths are the repository's word: they must stay inside the repository (no ``..``, no
    symlink out), so a reviewed change cannot make signoff read other files of the reviewer's machine.
    """
    if given:
        return list(given)
    paths = section(config or {}, "findings").get("sarif", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise UsageError(f"{CONFIG_PATH}: [findings] sarif must be a list of file paths")
    root = git.root.resolve()
    out = []
    for p in paths:
        full = (root / p).resolve()
        if not full.is_relative_to(root):
            raise UsageError(f"{CONFIG_PATH}: [findings] sarif path {visible(p)} is outside the repository")
        out.append(str(full))
    return out


def collect(git: Git, diff: Diff, paths: Iterable[str], fmap: FindingsMap) -> Findings:
    """Read every SARIF file; keep the findings in changed files, placed and mapped."""
    out = Findings()
    raw: list[RawFinding] = []
    for p in paths:
        try:
            raw.extend(load_sarif(p, git.root))
        except FindingsError as exc:
            out.errors.append(exc.message)
    files = {f.new_path: f for f in diff.files if f.new_path}
    texts = _line_texts(git, files, [r for r in raw if r.path in files])
    seen: set[str] = set()
    for r in raw:
        fd = files.get(r.path)
        if fd is None:
            out.outside += 1
            continue
        changed = r.line in _changed_lines(fd)
        text = texts.get((r.path, r.line), "")
        f = Finding(r, changed, fmap.question_for(r), fingerprint(r, text))
        if f.id not in seen:
            seen.add(f.id)
            out.items.append(f)
    out.items.sort(key=lambda f: (not f.changed, f.raw.path, f.raw.line, f.raw.rule))
    return out


def fingerprint(r: RawFinding, line_text: str) -> str:
    """sha256 of tool, rule, path and the flagged line's text (whitespace-normalised)."""
    basis = "\0".join((r.tool.lower(), r.rule, r.path, " ".join(line_text.split())))
    return hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()


_CHANGED_CACHE: dict[int, frozenset[int]] = {}


def _changed_lines(fd: FileDiff) -> frozenset[int]:
    key = id(fd)
    if key not in _CHANGED_CACHE:
        _CHANGED_CACHE.clear() if len(_CHANGED_CACHE) > 10_000 else None
        _CHANGED_CACHE[key] = frozenset(n for n, _ in fd.added_lines())
    return _CHANGED_CACHE[key]


def _line_texts(git: Git, files: dict[str, FileDiff], raw: list[RawFinding]) -> dict[tuple[str, int], str]:
    """The text of each flagged line: from the hunks, else from the new blob (one ``cat-file --batch``)."""
    out: dict[tuple[str, int], str] = {}
    wanted = {(r.path, r.line) for r in raw}
    for path in {p for p, _ in wanted}:
        for h in files[path].hunks:
            for line in h.lines:
                if line.new_no is not None and (path, line.new_no) in wanted:
                    out[(path, line.new_no)] = line.text
    missing = {p for p, n in wanted if (p, n) not in out and n > 0}
    blobs = {p: b for p in missing if (b := files[p].new_blob) and not files[p].binary}
    if blobs:
        objects = read_objects(git, list(set(blobs.values())))
        for path, oid in blobs.items():
            body = objects[oid][2] if oid in objects else b""
            lines = body.decode("utf-8", "replace").split("\n")
            for p, n in wanted:
                if p == path and 0 < n <= len(lines):
                    out[(p, n)] = lines[n - 1]
    return out


def hit_text(f: Finding) -> str:
    """What the walk-through shows for a finding: tool, rule, level (and whether the line is unchanged),
    then the scanner's message."""
    where = "" if f.changed else ", unchanged line"
    return f"{f.raw.tool} {f.raw.rule} ({f.raw.level}{where}): {f.raw.message}"[:240]


def attach(relevance: Relevance, findings: Findings) -> None:
    """Add each finding as a ``finding`` hit of its question; questions with findings become triggered."""
    by_q: dict[str, list[Finding]] = {}
    for f in findings.items:
        by_q.setdefault(f.question, []).append(f)
    for qid, items in by_q.items():
        result = relevance.result(qid)
        if result is None:
            continue
        present = {h.match for h in result.hits if h.trigger == "finding"}
        items = [f for f in items if f.id not in present]  # the same result may come back (staged analysis)
        if not items:
            continue
        hits = [
            Hit(
                f.raw.path,
                f.raw.line,
                "new",
                hit_text(f),
                "finding",
                f"{f.raw.tool.lower()}:{f.raw.rule}",
                f.id,
            )
            for f in items
        ]
        result.hits[:0] = hits
        result.hit_count += len(hits)
        if "finding" not in result.reasons:
            result.reasons.append("finding")
        if result in relevance.untriggered:
            relevance.untriggered.remove(result)
            relevance.triggered.append(result)
    relevance.triggered.sort(key=lambda r: r.question.rank)
