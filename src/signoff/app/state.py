"""The review state every screen shares: target, session, analysis results, signed record.

Screens receive this object, never each other. Per-file counts are computed once per analysis result,
so a key press never walks the whole diff.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any

from signoff.app.analysis import AiView, QuestionView

if TYPE_CHECKING:
    from signoff.diff.model import Diff, DiffOptions
    from signoff.git.runner import Git
    from signoff.git.target import ReviewTarget
    from signoff.review.session import ReviewSession


@dataclass
class ReviewState:
    git: Git
    target: ReviewTarget
    session: ReviewSession
    draft_dir: Path
    diff_options: DiffOptions | None = None
    #: Opt-in checklists to ask as well (``signoff review --checklist NAME``).
    opt_in: tuple[str, ...] = ()
    #: ``--key`` / ``--format``: override git's user.signingKey / gpg.format when signing.
    sign_key: str | None = None
    sign_format: str | None = None
    sign_email: str | None = None
    #: False for ``review --no-ai``: no attribution stage.
    ai_enabled: bool = True
    #: Scanner output files (``--findings``) and what they said about this diff (``Findings``), once read.
    sarif: tuple[str, ...] = ()
    findings: Any = None
    diff: Diff | None = None
    ai: AiView = field(default_factory=AiView)
    questions: list[QuestionView] = field(default_factory=list)
    #: The relevance result behind ``questions`` (goes into the record); None until matched.
    relevance: Any = None
    #: Set once the record is signed and stored: from then on the review is read-only.
    record_path: Path | None = None
    #: Draft writes (autosave thread, signing failure) hold this lock; ``draft_extra`` goes into every
    #: draft written (the unsigned record after a signing failure); ``draft_closed``: never write again.
    draft_lock: Lock = field(default_factory=Lock, repr=False)
    draft_extra: dict[str, Any] = field(default_factory=dict, repr=False)
    draft_closed: bool = False
    _question_counts: Counter[str] = field(default_factory=Counter, repr=False)
    #: The full diff the record covers when the view shows another (interdiff, ``-w``, more context).
    record_diff: Diff | None = None
    #: Analysis stages finished (``diff``, ``questions``, ``ai``) and failed.
    stages_done: set[str] = field(default_factory=set)
    stages_failed: set[str] = field(default_factory=set)
    #: The reviewer saw the open items (:meth:`open_items`) and chose to sign anyway.
    confirmed_open: bool = False
    #: The analysis started with the app (``signoff.app.loader.Preload``), until the screen takes it.
    preload: Any = field(default=None, repr=False, compare=False)

    @property
    def full_diff(self) -> Diff | None:
        """The diff the record is about (the view may show a narrower or wider one)."""
        return self.record_diff or self.diff

    def open_items(self) -> dict[str, Any]:
        """What a signature now would leave open: unanswered triggered questions, files not marked
        reviewed, AI lines not looked at (``cursor/1``), analysis stages not complete."""
        diff = self.full_diff
        return {
            "unanswered": [q for q in self.triggered_ids() if self.session.answer_of(q) is None],
            "unviewed": [f.path for f in (diff.files if diff else []) if not self.is_reviewed(f.path)],
            "ai_unseen": sum(self.session.unseen_ai(self.ai.line_sets()).values()),
            "pending": self.pending_stages(),
        }

    def pending_stages(self) -> list[str]:
        """Analysis stages that have not completed (still running, failed, or skipped with --no-ai)."""
        return [s for s in ("diff", "questions", "ai") if s not in self.stages_done]

    @property
    def signed(self) -> bool:
        return self.record_path is not None

    def set_questions(self, questions: list[QuestionView], relevance: Any) -> None:
        self.questions = questions
        self.relevance = relevance
        counts: Counter[str] = Counter()
        for q in questions:
            if q.triggered:
                counts.update({h.path for h in q.hits})
        self._question_counts = counts

    def question_count(self, path: str) -> int:
        """Triggered questions with a hit in ``path``."""
        return self._question_counts.get(path, 0)

    def ai_count(self, path: str) -> int:
        return self.ai.count(path)

    def is_reviewed(self, path: str) -> bool:
        return path in self.session.reviewed_files

    def reviewed_count(self) -> int:
        """Files of the diff marked reviewed (a walk over the marks, not over the files)."""
        diff = self.diff
        if diff is None:
            return 0
        if self._path_counts is None or self._path_counts[0] is not diff:
            self._path_counts = (diff, Counter(f.path for f in diff.files))
        counts = self._path_counts[1]
        return sum(counts[p] for p in self.session.reviewed_files if p in counts)

    #: The diff the per-path file counts were taken from, and the counts.
    _path_counts: tuple[Diff, Counter[str]] | None = field(default=None, repr=False, compare=False)

    def triggered_ids(self) -> list[str]:
        return [q.id for q in self.questions if q.triggered]

    def question(self, qid: str | None) -> QuestionView | None:
        return next((q for q in self.questions if q.id == qid), None)
