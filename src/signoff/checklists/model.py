"""Security checklists: load and validate the TOML files, merge a repository's overrides.

Shipped checklists live in ``checklists/*.toml`` (packaged as ``signoff/data/checklists``). A repository
under review may add or override questions by id in ``.signoff/checklists/*.toml``; those files are read
as data only. Every problem (TOML syntax with line and column, unknown keys, bad regexes, duplicate ids,
missing fields, bad severity) is collected as a :class:`Problem`; :class:`ChecklistError` carries them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signoff.errors import UsageError

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
REPO_DIR = Path(".signoff") / "checklists"
MAX_PATTERN_LEN = 600


# --------------------------------------------------------------------------------------------------
# Model


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a checklist file."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None
    where: str = ""

    def __str__(self) -> str:
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        where = f" {self.where}:" if self.where else ""
        return f"{loc}:{where} {self.message}"


class ChecklistError(UsageError):
    """Checklists failed validation; ``problems`` lists every issue."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(str(p) for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"invalid checklist ({len(self.problems)} problem(s)):\n  {shown}{more}")


@dataclass(frozen=True)
class Pattern:
    """One regex of a trigger; ``languages`` narrows where it applies (else the trigger's languages)."""

    source: str
    languages: tuple[str, ...] = ()
    #: The compiled pattern: Python ``re`` for shipped checklists, RE2 (linear time) for repository ones.
    regex: Any = field(default=None, compare=False, repr=False)
    #: Lower-cased literals of which every match contains at least one (None: no usable literal).
    anchors: frozenset[str] | None = field(default=None, compare=False, repr=False)
    #: Match comments too (``comments = true``): by default code comments are blanked before matching.
    comments: bool = False
    #: Supplied by the repository under review: compiled with RE2, never with Python's ``re``.
    linear: bool = False
    #: ``requires = '...'``: in a new file, hit only if some added line also matches this pattern (e.g. a
    #: checkout of the PR head only where a privileged trigger is declared). A changed file keeps its hit:
    #: its unchanged lines are not in the diff.
    requires: Pattern | None = field(default=None, compare=False, repr=False)
    #: ``unless = '...'``: no hit in a file of which some added line matches this pattern (e.g. a cleartext
    #: download in a Dockerfile that verifies a checksum).
    unless: Pattern | None = field(default=None, compare=False, repr=False)
    #: ``files = '...'``: only in files whose path matches this pattern (e.g. controllers).
    files: Pattern | None = field(default=None, compare=False, repr=False)
    #: ``distinct = true``: one hit per file for each distinct matched text (the same action reference
    #: used in five jobs is one decision).
    distinct: bool = False


@dataclass(frozen=True)
class Trigger:
    """When a question applies to a diff."""

    paths: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    added: tuple[Pattern, ...] = ()
    removed: tuple[Pattern, ...] = ()
    #: Fires on a newly added file (of the pattern's languages) in which no line matches the regex,
    #: e.g. a new Dockerfile that never sets ``USER``.
    absent: tuple[Pattern, ...] = ()
    ai: bool = False
    always: bool = False
    #: At most one hit per file (questions about a file as a whole, e.g. "are error paths tested?").
    per_file: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.paths
            or self.languages
            or self.added
            or self.removed
            or self.absent
            or self.ai
            or self.always
        )


@dataclass(frozen=True)
class Question:
    """One pass/fail/n-a question."""

    id: str
    checklist_id: str
    text: str
    guidance: str
    severity: str
    references: tuple[str, ...] = ()
    triggers: Trigger = field(default_factory=Trigger)
    #: Hide the matched text in output (the match may be a secret).
    redact: bool = False
    #: ``builtin`` or the repo-relative path of the override file that defined or changed it.
    origin: str = "builtin"

    @property
    def rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, len(SEVERITIES))


@dataclass(frozen=True)
class Source:
    document: str
    section: str


@dataclass
class Checklist:
    """One checklist file (or a repository-defined checklist)."""

    id: str
    title: str
    version: str
    description: str
    sources: tuple[Source, ...]
    questions: list[Question]
    opt_in: bool = False
    path: str = ""
    sha256: str = ""
    origin: str = "builtin"

    def manifest(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "origin": self.origin}


@dataclass
class OverrideFile:
    """A repository override file that was applied."""

    path: str
    sha256: str
    checklist_id: str


@dataclass
class ChecklistSet:
    """The checklists in effect for a review: built-ins (minus unselected opt-in ones) plus overrides."""

    checklists: list[Checklist]
    overrides: list[OverrideFile] = field(default_factory=list)
    #: Opt-in checklists that exist but were not selected.
    available_opt_in: list[str] = field(default_factory=list)
    _index: dict[str, Question] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {q.id: q for q in self.questions}

    @property
    def questions(self) -> list[Question]:
        """All questions in checklist order, then file order."""
        return [q for c in self.checklists for q in c.questions]

    def by_id(self, qid: str) -> Question | None:
        return self._index.get(qid)

    def checklist(self, cid: str) -> Checklist | None:
        return next((c for c in self.checklists if c.id == cid), None)

    def manifest(self) -> list[dict[str, Any]]:
        """Ids, versions and sha256 of the checklist files and override files used (for review records)."""
        out = [c.manifest() for c in self.checklists]
        out += [
            {"id": o.checklist_id, "version": "", "sha256": o.sha256, "origin": o.path}
            for o in self.overrides
        ]
        return out
