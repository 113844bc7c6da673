"""Views of the analysis results (provenance, relevance) as the plain data the TUI shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from signoff.checklists.model import SEVERITY_RANK
from signoff.provenance.attribution import Attribution
from signoff.relevance.model import Relevance


@dataclass
class HitView:
    path: str
    line: int
    text: str
    trigger: str
    #: ``new`` or ``old`` (a removed line: ``line`` is its old-side number); line 0: the whole file.
    side: str = "new"
    #: The matched text (to find the hit's column in its line).
    match: str = ""


@dataclass
class QuestionView:
    id: str
    text: str
    severity: str = "medium"
    guidance: str = ""
    references: list[str] = field(default_factory=list)
    hits: list[HitView] = field(default_factory=list)
    triggered: bool = True
    checklist: str = ""
    raw: Any = None


@dataclass
class AiView:
    """AI attribution: per path, new line number -> reason; plus per-commit signals for the legend."""

    lines: dict[str, dict[int, str]] = field(default_factory=dict)
    commits: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    raw: Any = None

    def count(self, path: str) -> int:
        return len(self.lines.get(path, {}))

    def line_sets(self) -> dict[str, set[int]]:
        return {p: set(d) for p, d in self.lines.items()}

    @property
    def total(self) -> int:
        return sum(len(d) for d in self.lines.values())


def ai_view(result: Attribution) -> AiView:
    """An :class:`AiView` of a provenance ``Attribution``."""
    view = AiView(raw=result)
    for path, fa in result.files.items():
        if fa.ai_lines:
            view.lines[str(path)] = {int(n): str(r) for n, r in fa.ai_lines.items()}
    for c in result.commits:
        view.commits.append((str(c.sha), str(c.reason or "AI")))
    view.warnings = list(result.warnings)
    return view


def question_views(result: Relevance) -> list[QuestionView]:
    """Triggered questions first (severity order), then the others."""
    out: list[QuestionView] = []
    for is_trig, group in ((True, result.triggered), (False, result.untriggered)):
        for item in group:
            q = item.question
            hits = [HitView(h.path, h.line, h.text, h.trigger, h.side or "new", h.match) for h in item.hits]
            out.append(
                QuestionView(
                    id=q.id,
                    text=q.text,
                    severity=q.severity,
                    guidance=q.guidance or "",
                    references=list(q.references),
                    hits=hits,
                    triggered=is_trig,
                    checklist=q.checklist_id or "",
                    raw=item,
                )
            )
    out.sort(key=lambda q: (not q.triggered, SEVERITY_RANK.get(q.severity, len(SEVERITY_RANK))))
    return out
