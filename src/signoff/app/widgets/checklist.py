"""The checklist walk-through: questions by severity with progress, and the current question's detail."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from signoff.app.actions import bindings
from signoff.app.analysis import HitView, QuestionView
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

    def compose(self) -> ComposeResult:
        yield Static("Checklist", id="checklist-title", classes="pane-title")
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


#: Characters of a hit's line shown around its column.
PREVIEW_BEFORE, PREVIEW_AFTER = 24, 64
#: A hit's column is worked out (from the diff) when its line is at least this long.
LONG_LINE = 120

Locate = Callable[[HitView], "tuple[int, str] | None"]


class DetailPanel(VerticalScroll, can_focus=True):
    """The current question: text, guidance, references, hits, note and evidence; or a line's AI reason.

    The current hit's marker is always scrolled into view; a hit on a long line shows its column and the
    text around it.
    """

    DEFAULT_CSS = """
    DetailPanel {
        height: 10; border-top: solid $primary 50%; padding: 0 1; background: $surface;
        scrollbar-gutter: stable;
    }
    DetailPanel > Static { width: 1fr; }
    """

    _question: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-body")

    def on_resize(self) -> None:
        if self._question is not None:  # hit lines are cut to the width: lay them out again
            self.show_question(*self._question[:3], note_for=self._question[3], locate=self._question[4])

    def show(self, text: Text, *, line: int | None = None) -> None:
        """Show ``text``; scroll so its rendered line ``line`` is in view (else to the top)."""
        self._question = None
        self.query_one("#detail-body", Static).update(text)
        if line is None:
            self.scroll_home(animate=False)
        else:
            self.call_after_refresh(self._scroll_line, line)

    def _scroll_line(self, line: int) -> None:
        height = self.scrollable_content_region.height or 1
        if not self.scroll_y <= line < self.scroll_y + height:
            self.scroll_to(y=max(0, line - height // 3), animate=False)

    def show_question(
        self,
        q: QuestionView | None,
        st: QuestionState | None,
        hit_index: int | None,
        *,
        note_for: str | None = None,
        locate: Locate | None = None,
    ) -> None:
        if q is None:
            self.show(
                Text(
                    "No question selected. Questions appear here once the checklist is matched.", style="dim"
                )
            )
            return
        width = max(10, self.scrollable_content_region.width or 60)
        head = question_head(q, st, note_for)
        hits, marker = hit_lines(q, hit_index, locate, width)
        body = head.copy()
        body.append_text(hits)
        body.append_text(answer_tail(st))
        line = None
        if marker is not None:
            line = len(head.wrap(self.app.console, width)) - 1 + marker
        self.show(body, line=line)
        self._question = (q, st, hit_index, note_for, locate)


def question_head(q: QuestionView, st: QuestionState | None, note_for: str | None) -> Text:
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
    if note_for and note_for != q.id:
        t.append("e writes the note for ", style="yellow")
        t.append_text(safe_text(note_for, style="bold yellow"))
        t.append(" (just answered)\n", style="yellow")
    if q.guidance:
        t.append("\n")
        t.append_text(safe_text(q.guidance.strip(), keep_newlines=True))
        t.append("\n")
    if q.references:
        t.append("\nReferences: ", style="bold")
        t.append_text(safe_text(", ".join(q.references)))
        t.append("\n")
    return t


def hit_lines(
    q: QuestionView, hit_index: int | None, locate: Locate | None, width: int
) -> tuple[Text, int | None]:
    """The hits, one screen line each (plus a preview line for a hit far along a long line), and the
    index of the current hit's line."""
    t = Text()
    if not q.hits:
        return t, None
    t.append(f"\nHits ({len(q.hits)}):\n", style="bold")
    row = 2
    marker = None
    for i, h in enumerate(q.hits[:200]):
        cur = i == hit_index
        if cur:
            marker = row
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("▶ " if cur else "  ", style="bold yellow")
        where = f"{h.path}:{h.line}" if h.line else h.path
        if h.side == "old" and h.line:
            where += " (old)"
        line.append_text(safe_text(where, style="underline" if cur else ""))
        found = None
        if locate is not None and h.line and (cur or len(h.text) >= LONG_LINE or h.match not in h.text):
            found = locate(h)
        if found is not None and len(found[1]) > LONG_LINE:
            line.append(f" col {found[0] + 1:,}", style="bold")
        if h.trigger:
            line.append(" [", style="dim")
            line.append_text(safe_text(h.trigger, style="dim"))
            line.append("]", style="dim")
        if h.text and (found is None or len(found[1]) <= LONG_LINE):
            line.append("  ")
            line.append_text(safe_text(h.text.strip()[:LONG_LINE], style="italic"))
        line.truncate(width, overflow="ellipsis")
        t.append_text(line)
        t.append("\n")
        row += 1
        if found is not None and len(found[1]) > LONG_LINE:
            col, text = found
            lo, hi = max(0, col - PREVIEW_BEFORE), col + len(h.match) + PREVIEW_AFTER
            prev = Text(no_wrap=True, overflow="ellipsis")
            prev.append("    " + ("…" if lo else ""), style="dim")
            prev.append_text(safe_text(text[lo:hi], style="italic"))
            prev.append("…" if hi < len(text) else "", style="dim")
            prev.truncate(width, overflow="ellipsis")
            t.append_text(prev)
            t.append("\n")
            row += 1
    if len(q.hits) > 200:
        t.append(f"  … {len(q.hits) - 200} more\n", style="dim")
    return t, marker


def answer_tail(st: QuestionState | None) -> Text:
    t = Text()
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
    return t
