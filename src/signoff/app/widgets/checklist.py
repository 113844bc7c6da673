"""The checklist walk-through: questions by severity with progress (the detail panel: ``widgets.detail``)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from signoff.app.actions import bindings
from signoff.app.analysis import QuestionView
from signoff.app.safe import safe_text
from signoff.app.widgets.redraw import Bar
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
    BINDINGS = bindings("questions")


class ChecklistPanel(Vertical):
    """Triggered questions (untriggered ones on demand) with their answer marks."""

    DEFAULT_CSS = """
    ChecklistPanel { height: 1fr; }
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
        #: The options listed (ids; None for the separator) and their prompts, as last built.
        self._ids: list[str | None] = []
        self._prompts: list[object] = []

    def compose(self) -> ComposeResult:
        yield Bar("Checklist", id="checklist-title", classes="pane-title")
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
        """The options from the questions. When the same questions are listed (an answer, a note), only
        the rows whose text changed are replaced: no new list, no screen layout."""
        opts = self.options
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
        ids = [o.id for o in items]
        if ids and ids == self._ids:
            for option, shown in zip(items, self._prompts, strict=True):
                if option.id is not None and option.prompt != shown:
                    opts.replace_option_prompt(option.id, option.prompt)
        else:
            opts.clear_options()
            opts.add_options(items)
        self._ids, self._prompts = ids, [o.prompt for o in items]
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

    def move(self, delta: int, *, unanswered: bool = False, notify: bool = True) -> str | None:
        qs = self.visible_questions()
        if not qs:
            return None
        ids = [q.id for q in qs]
        i = ids.index(self.current) if self.current in ids else -1
        for step in range(1, len(ids) + 1):
            j = (i + delta * step) % len(ids)
            st = self.state_of(ids[j])
            if not unanswered or not (st and st.answer):
                self.select(ids[j], notify=notify)
                return ids[j]
        return None

    @on(OptionList.OptionHighlighted, "#question-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        oid = event.option.id or ""
        if oid.startswith("q:"):
            self.current = oid[2:]
            self.post_message(self.QuestionChosen(self.current))
