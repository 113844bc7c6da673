"""Commit-level AI provenance: one ``git log -z`` over the range, with trailers and git-ai notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from signoff.git.runner import EMPTY_TREE, Git
from signoff.provenance.catalogue import load_catalogue
from signoff.provenance.gitai import NOTES_REF, GitAiNote, parse_note
from signoff.provenance.tools import EXACT, MEDIUM, RANK, Catalogue, Signal, strongest

_LOG_FIELDS = 8
_LOG_FORMAT = "%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%B%x00%N"
# --------------------------------------------------------------------------------------------------
# Commits


@dataclass
class CommitInfo:
    """One commit of the reviewed range, with its AI signals (empty for a human commit)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    message: str
    signals: list[Signal] = field(default_factory=list)
    note: GitAiNote | None = None
    #: the weakest confidence that makes this commit's lines AI (``[ai] min_confidence``)
    threshold: str = MEDIUM

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def ai(self) -> bool:
        """Some signal is strong enough to count (weaker ones are only reported)."""
        return any(RANK[s.confidence] >= RANK[self.threshold] for s in self.signals)

    @property
    def whole_commit_ai(self) -> bool:
        """A commit-level signal counts, so all its lines are AI (line-level notes name only theirs)."""
        return any(
            s.kind != "line-notes" and RANK[s.confidence] >= RANK[self.threshold] for s in self.signals
        )

    @property
    def confidence(self) -> str | None:
        best = strongest(self.signals)
        return best.confidence if best else None

    @cached_property
    def reason(self) -> str:
        """Why this commit's lines count as AI (the strongest signal)."""
        counting = [s for s in self.signals if RANK[s.confidence] >= RANK[self.threshold]]
        best = strongest([s for s in counting if s.kind != "line-notes"]) or strongest(counting)
        return f"commit {self.sha[:12]}: {best.describe()}" if best else ""

    @property
    def note_decides(self) -> bool:
        """A git-ai note with attested lines decides exactly which of this commit's lines are AI."""
        return self.note is not None and bool(self.note.ranges)

    def to_json(self) -> dict[str, Any]:
        return {
            "sha": self.sha,
            "parents": list(self.parents),
            "author": f"{self.author_name} <{self.author_email}>",
            "committer": f"{self.committer_name} <{self.committer_email}>",
            "subject": self.subject,
            "confidence": self.confidence,
            "signals": [s.to_json() for s in self.signals],
            "git_ai_lines": self.note.ai_lines if self.note is not None else None,
        }


def _note_signal(note: GitAiNote) -> Signal | None:
    if not note.ranges:
        return None
    tools = note.tools()
    tool_ids = sorted({label.split(" / ")[0] for label in tools})
    evidence = (
        f"git-ai note: {note.ai_lines} AI lines in {len(note.ranges)} files ({', '.join(tools) or 'unknown'})"
    )
    tool = tool_ids[0] if len(tool_ids) == 1 else "git-ai"
    return Signal("git-ai", tool, EXACT, evidence, "git-ai authorship note (refs/notes/ai)", "git-ai")


def parse_log(data: bytes, catalogue: Catalogue) -> list[CommitInfo]:
    """Commits from ``git log -z --format=`` :data:`_LOG_FORMAT` output, newest first as git prints them."""
    parts = data.split(b"\0")
    out: list[CommitInfo] = []
    for i in range(0, len(parts) - _LOG_FIELDS + 1, _LOG_FIELDS):
        sha, parents, an, ae, cn, ce, body, notes = (
            p.decode("utf-8", "replace") for p in parts[i : i + _LOG_FIELDS]
        )
        sha = sha.strip()
        if not sha:
            continue
        c = CommitInfo(sha, tuple(parents.split()), an, ae, cn, ce, body, threshold=catalogue.min_confidence)
        c.signals = catalogue.commit_signals(body, (an, ae), (cn, ce))
        if notes.strip():
            c.note = parse_note(notes if notes.endswith("\n") else notes + "\n")
            sig = _note_signal(c.note) if c.note is not None else None
            if sig is not None:
                c.signals.insert(0, sig)
        out.append(c)
    return out


def read_commits(git: Git, base: str, head: str, catalogue: Catalogue | None = None) -> list[CommitInfo]:
    """Every commit in ``base..head`` (oldest first) with signals, in one ``git log`` call."""
    cat = catalogue or load_catalogue()
    notes = ["--notes=" + NOTES_REF] if git.ref_exists(NOTES_REF) else []
    revs = [head] if base == EMPTY_TREE else [f"{base}..{head}"]
    args = ["log", "-z", "--no-show-signature", "--no-color", "--no-mailmap", "--no-notes", *notes]
    data = git.run([*args, f"--format={_LOG_FORMAT}", "--end-of-options", *revs, "--"])
    commits = parse_log(data, cat)
    commits.reverse()
    return commits
