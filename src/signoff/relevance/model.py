"""The result of relevance: hits, per-question results and the whole relevance of a diff."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from signoff.checklists.model import ChecklistSet, Question
from signoff.util.sanitize import visible

#: Hits kept per question per file (all are counted).


@dataclass(slots=True)
class Hit:
    """Where a question's trigger fired."""

    path: str
    #: New-side line number; old-side for ``removed`` hits; 0 when the file has no lines (binary).
    line: int
    #: ``new`` or ``old`` (removed lines).
    side: str
    #: The line's text (truncated; ``[redacted]`` for secrets), or a short description for file hits.
    text: str
    #: Which trigger fired: ``added``, ``removed``, ``path``, ``language``, ``absent``, ``ai``.
    trigger: str
    #: The regex, glob or language that matched.
    pattern: str = ""
    #: The matched part of the line (redacted for secrets).
    match: str = ""
    #: For removed-line hits: the new-side line where the removal is.
    new_line: int | None = None

    def to_json(self) -> dict[str, Any]:
        d = {
            "path": self.path,
            "line": self.line,
            "side": self.side,
            "trigger": self.trigger,
            "pattern": self.pattern,
            "text": self.text,
            "match": self.match,
        }
        if self.new_line is not None:
            d["new_line"] = self.new_line
        return d


@dataclass
class QuestionResult:
    """A question and why (and where) it is relevant to the diff."""

    question: Question
    hits: list[Hit] = field(default_factory=list)
    #: All hits, including those not kept because of the per-file cap.
    hit_count: int = 0
    #: Trigger kinds that fired (empty: not triggered).
    reasons: list[str] = field(default_factory=list)

    @property
    def triggered(self) -> bool:
        return bool(self.reasons)

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def severity(self) -> str:
        return self.question.severity

    def to_json(self) -> dict[str, Any]:
        q = self.question
        return {
            "id": q.id,
            "checklist": q.checklist_id,
            "severity": q.severity,
            "text": q.text,
            "references": list(q.references),
            "reasons": list(self.reasons),
            "hit_count": self.hit_count,
            "hits": [h.to_json() for h in self.hits],
        }


@dataclass
class Relevance:
    """Triggered questions (severity order) and the rest (checklist order), all answerable."""

    checklists: ChecklistSet
    triggered: list[QuestionResult]
    untriggered: list[QuestionResult]

    @property
    def not_triggered(self) -> list[QuestionResult]:
        return self.untriggered

    def result(self, qid: str) -> QuestionResult | None:
        return next((r for r in (*self.triggered, *self.untriggered) if r.question.id == qid), None)

    def triggered_ids(self) -> list[str]:
        return [r.question.id for r in self.triggered]

    def to_json(self) -> dict[str, Any]:
        return {
            "checklists": self.checklists.manifest(),
            "triggered": [r.to_json() for r in self.triggered],
            "not_triggered": [r.question.id for r in self.untriggered],
        }

    def text_lines(self, *, hits_shown: int = 5) -> list[str]:
        """Human-readable summary (repository text made visible)."""

        total = len(self.triggered) + len(self.untriggered)
        out = [f"Questions: {len(self.triggered)} triggered of {total}"]
        for r in self.triggered:
            q = r.question
            out.append(f"  [{q.severity.upper():8}] {q.id}: {visible(q.text)}")
            for h in r.hits[:hits_shown]:
                side = "" if h.side == "new" else " (removed)"
                where = f"{visible(h.path)}:{h.line}" if h.line else visible(h.path)
                out.append(f"      {where}{side}  [{h.trigger}]  {visible(h.text)}")
            more = r.hit_count - min(len(r.hits), hits_shown)
            if more > 0:
                out.append(f"      ... and {more} more")
        if self.untriggered:
            out.append(f"  not triggered (still answerable): {len(self.untriggered)} questions")
        if self.checklists.available_opt_in:
            names = ", ".join(self.checklists.available_opt_in)
            out.append(f"  opt-in checklists not selected: {names} (--checklist NAME)")
        return out
