"""Adapters from the core analyses (provenance, relevance) to the plain data the TUI shows.

Each loader runs in a worker thread and degrades to "nothing found" when the analysis is not
available, so the diff is always reviewable.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from signoff.diff.model import Diff
from signoff.git.runner import Git
from signoff.git.target import ReviewTarget

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass
class HitView:
    path: str
    line: int
    text: str
    trigger: str
    #: ``new`` or ``old`` (a removed line: ``line`` is its old-side number); line 0: the whole file.
    side: str = "new"


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


def _optional(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


def load_ai(git: Git, target: ReviewTarget, diff: Diff) -> AiView:
    """AI attribution per added line via ``signoff.provenance.attribution`` (empty when unavailable)."""
    prov = _optional("signoff.provenance.attribution")
    if prov is None or not hasattr(prov, "attribute"):
        return AiView()
    return ai_view(prov.attribute(git, target, diff))


def ai_view(result: Any) -> AiView:
    """An :class:`AiView` of a ``provenance.Attribution``."""
    view = AiView(raw=result)
    for path, fa in (getattr(result, "files", None) or {}).items():
        lines = getattr(fa, "ai_lines", None) or {}
        if lines:
            view.lines[str(path)] = {int(n): str(r) for n, r in lines.items()}
    for c in getattr(result, "commits", None) or []:
        view.commits.append((str(c.sha), str(getattr(c, "reason", "") or "AI")))
    view.warnings = list(getattr(result, "warnings", None) or [])
    return view


def load_questions(
    git: Git, diff: Diff, ai: AiView, include_opt_in: tuple[str, ...] = ()
) -> tuple[list[QuestionView], Any]:
    """Checklist questions (triggered first, severity order) and the ``signoff.relevance.engine.Relevance``
    they come from (None when relevance is unavailable); the record is built from the latter."""
    rel = _optional("signoff.relevance.engine")
    if rel is None or not hasattr(rel, "evaluate"):
        return [], None
    # the AiView's {path: lines} mapping is the cheapest form of "the AI lines" for relevance
    result = rel.evaluate(git, diff, ai if ai.lines else None, include_opt_in=include_opt_in)
    return question_views(result), result


def question_views(result: Any) -> list[QuestionView]:
    triggered = _get(result, "triggered", default=None)
    others = _get(result, "untriggered", "not_triggered", default=[]) or []
    if triggered is None:
        triggered = result or []
    out: list[QuestionView] = []
    for is_trig, group in ((True, triggered), (False, others)):
        for item in group:
            q = _get(item, "question", default=item)
            hits = [
                HitView(
                    str(_get(h, "path", default="")),
                    int(_get(h, "line", "new_no", default=0) or 0),
                    str(_get(h, "text", "matched", default="")),
                    str(_get(h, "trigger", default="")),
                    str(_get(h, "side", default="new") or "new"),
                )
                for h in (_get(item, "hits", default=[]) or [])
            ]
            out.append(
                QuestionView(
                    id=str(_get(q, "id")),
                    text=str(_get(q, "text", default="")),
                    severity=str(_get(q, "severity", default="medium")),
                    guidance=str(_get(q, "guidance", default="") or ""),
                    references=[str(r) for r in (_get(q, "references", default=[]) or [])],
                    hits=hits,
                    triggered=is_trig,
                    checklist=str(_get(q, "checklist", "checklist_id", default="") or ""),
                    raw=item,
                )
            )
    out.sort(key=lambda q: (not q.triggered, SEVERITY_ORDER.get(q.severity, 9)))
    return out
