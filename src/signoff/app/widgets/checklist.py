"""The checklist walk-through: questions by severity with progress, and the current question's detail."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from signoff.app.analysis import QuestionView
from signoff.app.safe import safe_text
from signoff.review.session import AnswerValue, QuestionState

SEVERITY_STYLE = {
    "critical": "bold white on #b00020",
    "high": "bold #ff5f5f",
    "medium": "bold #ffaf00",
    "low": "#5fafff",
}
SEVERITY_SHORT = {"critical": "CRIT", "high": "HIGH", "medium": "MED ", "low": "LOW "}
ANSWER_MARK = {
    AnswerValue.PASS: ("✓", "bold green"),
    AnswerValue.FAIL: ("✗", "bold red"),
    AnswerValue.NA: ("–", "bold #8a8a8a"),
    None: ("·", "dim"),
}


class QuestionOptions(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class ChecklistPanel(Vertical):
    """Triggered questions (untriggered ones on demand) with their answer marks."""

    DEFAULT_CSS = """
    ChecklistPanel { height: 1fr; }
    ChecklistPanel #checklist-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    ChecklistPanel OptionList { height: 1fr; border: none; padding: 0; }
    """

    class QuestionChosen(Message):
        def __init__(self, qid: str | None) -> None:
            super().__init__()
            self.qid = qid

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.questions: list[QuestionView] = []
        self.show_all = False
        self.state_of = lambda _qid: None
        self.loading = True
        self.current: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Checklist", id="checklist-title")
        yield QuestionOptions(id="question-options")

    @property
    def options(self) -> OptionList:
        return self.query_one(QuestionOptions)

    def visible_questions(self) -> list[QuestionView]:
        return [q for q in self.questions if q.triggered or self.show_all]

    def set_questions(self, questions: list[QuestionView]) -> None:
        self.questions = questions
        self.loading = False
        if self.current is None:
            trig = self.visible_questions()
            self.current = trig[0].id if trig else None
        self.rebuild()

    def rebuild(self) -> None:
        opts = self.options
        opts.clear_options()
        items = []
        last_trig = True
        for q in self.visible_questions():
            if last_trig and not q.triggered:
                items.append(Option(Text("── not triggered ──", style="dim"), disabled=True))
                last_trig = False
            st: QuestionState | None = self.state_of(q.id)
            mark, mstyle = ANSWER_MARK[st.answer if st else None]
            t = Text(no_wrap=True, overflow="ellipsis")
            t.append(mark + " ", style=mstyle)
            t.append(
                SEVERITY_SHORT.get(q.severity, q.severity[:4].upper().ljust(4)),
                style=SEVERITY_STYLE.get(q.severity, ""),
            )
            t.append(" ")
            t.append_text(safe_text(q.text))
            items.append(Option(t, id=f"q:{q.id}"))
        opts.add_options(items)
        self._update_title()
        if self.current:
            self.select(self.current, notify=False)

    def _update_title(self) -> None:
        trig = [q for q in self.questions if q.triggered]
        done = sum(1 for q in trig if (s := self.state_of(q.id)) and s.answer)
        if self.loading:
            title = "Checklist · matching…"
        elif not self.questions:
            title = "Checklist · no questions"
        else:
            title = f"Checklist {done}/{len(trig)} answered"
            if self.show_all:
                title += " · all"
        self.query_one("#checklist-title", Static).update(Text(title))

    def select(self, qid: str, *, notify: bool = True) -> None:
        self.current = qid
        try:
            pos = self.options.get_option_index(f"q:{qid}")
        except Exception:
            return
        with self.options.prevent(OptionList.OptionHighlighted):
            self.options.highlighted = pos
        if notify:
            self.post_message(self.QuestionChosen(qid))

    def move(self, delta: int, *, unanswered: bool = False) -> str | None:
        qs = self.visible_questions()
        if not qs:
            return None
        ids = [q.id for q in qs]
        i = ids.index(self.current) if self.current in ids else -1
        for step in range(1, len(ids) + 1):
            j = (i + delta * step) % len(ids)
            st = self.state_of(ids[j])
            if not unanswered or not (st and st.answer):
                self.select(ids[j])
                return ids[j]
        return None

    @on(OptionList.OptionHighlighted, "#question-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        oid = event.option.id or ""
        if oid.startswith("q:"):
            self.current = oid[2:]
            self.post_message(self.QuestionChosen(self.current))


class DetailPanel(VerticalScroll):
    """The current question: text, guidance, references, hits, note and evidence; or a line's AI reason."""

    DEFAULT_CSS = """
    DetailPanel { height: 10; border-top: solid $primary 50%; padding: 0 1; background: $surface; }
    DetailPanel > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="detail-body")

    def show(self, text: Text) -> None:
        self.query_one("#detail-body", Static).update(text)
        self.scroll_home(animate=False)

    def show_question(self, q: QuestionView | None, st: QuestionState | None, hit_index: int | None) -> None:
        if q is None:
            self.show(
                Text(
                    "No question selected. Questions appear here once the checklist is matched.", style="dim"
                )
            )
            return
        t = Text()
        mark, mstyle = ANSWER_MARK[st.answer if st else None]
        t.append(f"{mark} ", style=mstyle)
        t.append(f" {q.severity.upper()} ", style=SEVERITY_STYLE.get(q.severity, "bold"))
        t.append(" ")
        t.append_text(safe_text(q.id, style="dim"))
        if not q.triggered:
            t.append("  (not triggered)", style="dim italic")
        t.append("\n")
        t.append_text(safe_text(q.text, style="bold"))
        t.append("\n")
        t.append("answer: p pass · f fail · a n/a · e note · m attach evidence · . , hits\n", style="dim")
        if q.guidance:
            t.append("\n")
            t.append_text(safe_text(q.guidance.strip(), keep_newlines=True))
            t.append("\n")
        if q.references:
            t.append("\nReferences: ", style="bold")
            t.append_text(safe_text(", ".join(q.references)))
            t.append("\n")
        if q.hits:
            t.append(f"\nHits ({len(q.hits)}):\n", style="bold")
            for i, h in enumerate(q.hits[:200]):
                cur = i == hit_index
                t.append("▶ " if cur else "  ", style="bold yellow")
                where = f"{h.path}:{h.line}" if h.line else h.path
                if h.side == "old" and h.line:
                    where += " (old)"
                t.append_text(safe_text(where, style="underline" if cur else ""))
                if h.trigger:
                    t.append(" [", style="dim")
                    t.append_text(safe_text(h.trigger, style="dim"))
                    t.append("]", style="dim")
                if h.text:
                    t.append("  ")
                    t.append_text(safe_text(h.text.strip()[:120], style="italic"))
                t.append("\n")
            if len(q.hits) > 200:
                t.append(f"  … {len(q.hits) - 200} more\n", style="dim")
        if st and st.note:
            t.append("\nNote:\n", style="bold")
            t.append_text(safe_text(st.note, keep_newlines=True))
            t.append("\n")
        if st and st.evidence:
            t.append("\nEvidence:\n", style="bold")
            for e in st.evidence:
                t.append("  ")
                t.append_text(safe_text(f"{e.path}:{e.lines}"))
                if e.blob:
                    t.append(f" ({e.side} blob {e.blob[:12]})", style="dim")
                t.append("\n")
        self.show(t)
