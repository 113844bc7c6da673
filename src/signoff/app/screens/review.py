"""The main review screen: file list, checklist, diff (with a sticky file header) and the detail panel.

It receives the shared :class:`ReviewState`; its key actions live in :mod:`.review_keys`. Loading runs
the analysis pipeline in a worker; each stage is shown as soon as it arrives.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from signoff.app import messages as m
from signoff.app.actions import bindings, keys_for
from signoff.app.analysis import HitView
from signoff.app.loader import run_analysis
from signoff.app.rows import RowModel, extends
from signoff.app.safe import elide_middle, safe_text
from signoff.app.screens.review_habits import ReviewHabits
from signoff.app.screens.review_keys import ReviewKeys
from signoff.app.state import ReviewState
from signoff.app.statusline import Part, fit
from signoff.app.viewanchor import anchor_at, row_of
from signoff.app.widgets.checklist import ChecklistPanel
from signoff.app.widgets.detail import DetailPanel
from signoff.app.widgets.diffpaint import AI_COLOUR
from signoff.app.widgets.diffview import DiffView
from signoff.app.widgets.filelist import FileList, FileRows
from signoff.app.widgets.redraw import Bar
from signoff.diff.model import STATUS_MARK
from signoff.util.sanitize import visible

#: Panes, in the order tab visits them, with the names used in messages.
PANES = {"files": "file list", "checklist": "checklist", "diff-pane": "diff", "detail": "detail"}
#: Below this width side-by-side hides the sidebar (each side keeps room for code).
NARROW = 110


class ReviewScreen(ReviewHabits, ReviewKeys):
    """Everything a reviewer needs on one screen."""

    BINDINGS = bindings("review")

    def __init__(self, state: ReviewState) -> None:
        super().__init__(id="review")
        self.state = state
        self.model: RowModel | None = None
        self.stage = "Starting…"
        self.loaded = False
        self.t_first_paint: float | None = None
        self.t_analysis: float | None = None
        #: Columns the user added to (or took from) the sidebar with > and <.
        self.sidebar_delta = 0
        self.sidebar_hidden = False

    # the state's parts, as the widgets and tests know them
    @property
    def session(self):  # type: ignore[no-untyped-def]
        return self.state.session

    @property
    def diff(self):  # type: ignore[no-untyped-def]
        return self.state.diff

    @property
    def ai(self):  # type: ignore[no-untyped-def]
        return self.state.ai

    @property
    def questions(self):  # type: ignore[no-untyped-def]
        return self.state.questions

    @property
    def relevance(self):  # type: ignore[no-untyped-def]
        return self.state.relevance

    def is_reviewed(self, path: str) -> bool:
        return self.state.is_reviewed(path)

    def triggered_ids(self) -> list[str]:
        return self.state.triggered_ids()

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Bar(id="status")
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                yield FileList(id="files")
                yield ChecklistPanel(id="checklist")
            with Vertical(id="right"):
                with Vertical(id="diff-pane"):
                    yield Bar(id="file-header", classes="pane-title")
                    yield DiffView(id="diff")
                    yield Input(placeholder="search the diff — enter to find, esc to close", id="search")
                yield DetailPanel(id="detail")
        yield Footer()

    @property
    def diffview(self) -> DiffView:
        return self.query_one(DiffView)

    @property
    def filelist(self) -> FileList:
        return self.query_one(FileList)

    @property
    def checklist(self) -> ChecklistPanel:
        return self.query_one(ChecklistPanel)

    @property
    def detail(self) -> DetailPanel:
        return self.query_one(DetailPanel)

    def on_mount(self) -> None:
        fl = self.filelist
        fl.ai_count = self.state.ai_count
        fl.question_count = self.state.question_count
        fl.reviewed = self.state.is_reviewed
        self.checklist.state_of = lambda qid: self.session.questions.get(qid)
        self.checklist.rebuild()
        self.detail.show(Text("Loading…", style="dim"))
        self.diffview.focus()
        self._update_status()
        self._update_header()
        self.call_after_refresh(self._first_paint)
        self.diffview.comments = lambda: self.session.comments
        self.diffview.follow = self._follow_cursor
        self.diffview.next_jump = self.next_hit_row
        self.diffview.refresh_comments()
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < 30, "-short")
        self._apply_layout()
        self._update_status()

    def _apply_layout(self) -> None:
        """Sidebar width from the terminal width (and the user's < >); hidden for side-by-side when
        the terminal is narrow, so each side keeps room for code."""
        width = self.size.width
        side = self.query_one("#sidebar")
        auto = max(24, min(60, round(width * 0.3)))
        cols = max(16, min(width - 40, auto + self.sidebar_delta))
        side.styles.width = cols
        squeezed = width < NARROW and self.diffview.side_by_side
        side.display = not (self.sidebar_hidden or squeezed)

    def on_screen_resume(self) -> None:
        self._update_status()  # e.g. signed on the summary screen: now read-only

    def _first_paint(self) -> None:
        self.t_first_paint = time.perf_counter()

    # -- loading -----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        preload, self.state.preload = self.state.preload, None  # started with the app: taken once
        run_analysis(self.state, self.post_message, preload)

    def on_progress(self, msg: m.Progress) -> None:
        self.stage = "" if msg.done else f"[{msg.step}/{msg.total}] {msg.label}…"
        if msg.done:
            self.loaded = True
            self.t_analysis = time.perf_counter()
            self.check_previous()  # review since the last review?
        self._update_status()

    def on_diff_loaded(self, msg: m.DiffLoaded) -> None:
        """The diff, or a part of it: the first part is shown at once; a later part adds its files after
        those shown (nothing moves); a diff that differs from the part shown replaces it, the cursor
        kept on its line."""
        diff = msg.diff
        if not diff.partial:
            self.state.stages_done.add("diff")
        old = self.model
        self.state.diff = diff
        if old is not None and extends(old.files, diff.files):
            old.extend(diff)
            self.diffview.model_grew()
            self.search_rows = []  # found again over every file loaded
        else:
            keep = anchor_at(old, self.diffview.cursor, int(self.diffview.scroll_y)) if old else None
            self.model = RowModel(diff)
            if not diff.files and not diff.partial:
                self.diffview.placeholder = "Nothing to review: the diff is empty."
            self.diffview.set_model(self.model)
            if keep is not None:
                self.place_cursor(row_of(self.model, keep), keep.offset)
        self._collapse_viewed()  # a resumed draft's reviewed files
        self.filelist.set_files(diff.files)
        if old is None:
            self.filelist.highlight_file(0)
        self._update_status()
        self._update_header()
        if msg.shown is not None:
            self.call_after_refresh(msg.shown.set)

    def on_ai_loaded(self, msg: m.AiLoaded) -> None:
        self.state.stages_done.add("ai")
        self.state.ai = msg.ai
        self.diffview.set_ai(msg.ai)
        self.filelist.refresh_counts()
        self._update_status()
        self._update_header()

    def on_questions_loaded(self, msg: m.QuestionsLoaded) -> None:
        if not msg.partial and (msg.with_ai or not self.state.ai_enabled):
            self.state.stages_done.add("questions")
        self.state.set_questions(msg.questions, msg.relevance)
        self.checklist.set_questions(msg.questions)
        self.filelist.refresh_counts()
        self._show_current_question()
        self._update_status()
        self._update_header()
        if msg.shown is not None:
            self.call_after_refresh(msg.shown.set)

    def on_max_line_length(self, msg: m.MaxLineLength) -> None:
        self.diffview.set_max_line_length(msg.length)

    def on_pair_counts(self, msg: m.PairCounts) -> None:
        if self.model is not None:
            self.model.add_pair_counts(msg.counts)

    def on_findings_problem(self, msg: m.FindingsProblem) -> None:
        self.notify(safe_text(msg.error).plain, title="findings", severity="error", timeout=10, markup=False)

    def on_load_failed(self, msg: m.LoadFailed) -> None:
        self.stage = f"{msg.stage} failed"
        self.loaded = True
        self.checklist.loading = False
        self.checklist.rebuild()
        self.notify(
            safe_text(msg.error).plain,
            title=f"{msg.stage} failed",
            severity="error",
            timeout=10,
            markup=False,
        )
        if self.diff is None:
            self.diffview.placeholder = f"Could not load the diff: {safe_text(msg.error).plain}"
            self.diffview.refresh()
        self._update_status()

    # -- what the reviewer sees where ----------------------------------------------------------------

    def _update_status(self) -> None:
        """The status line, fitted to the width: views, search, signing and the stage are never cut."""
        st = self.state
        parts = [Part(Text(" signoff ", style="bold reverse"), drop=1)]
        spec = st.target.spec or st.target.kind
        parts.append(
            Part(safe_text(spec, style="bold"), Text(elide_middle(visible(spec), 18), style="bold"), sep=" ")
        )
        if st.signed:
            parts.append(
                Part(Text("✓ signed — read-only", style="bold green"), Text("✓ signed", style="bold green"))
            )
        if st.diff is not None:
            d, n = st.diff, len(st.diff.files)
            of = f"{n}/{d.files_expected}" if d.partial else f"{n}"  # still loading: files read so far
            counts = Text(f"{of} files ")
            counts.append(f"+{d.added}", style="green")
            counts.append(f" −{d.removed}", style="red")
            parts.append(Part(counts, Text(f"{of} files"), drop=3))
            done = f"{st.reviewed_count()}/{n}"
            parts.append(Part(Text(f"reviewed {done}"), Text(f"rev {done}"), drop=5))
        if not st.ai_enabled:
            parts.append(Part(Text("AI off", style="dim"), drop=2))
        elif st.ai.total:
            full, short = Text(), Text()
            for t, words in ((full, f"AI {st.ai.total} lines"), (short, f"AI {st.ai.total}")):
                t.append("▌", style=f"bold {AI_COLOUR}")
                t.append(words, style=AI_COLOUR)
            parts.append(Part(full, short, drop=2))
        if st.questions:
            ids = st.triggered_ids()
            done = f"{self.session.answered(ids)}/{len(ids)}"
            parts.append(Part(Text(f"answered {done}"), Text(f"ans {done}"), drop=4))
        if self.search_info:
            parts.append(Part(Text(self.search_info, style="bold")))
        parts += self.view_notes()
        if self.stage:
            step = self.stage.split("]", 1)[0].lstrip("[") if self.stage.startswith("[") else self.stage
            parts.append(
                Part(Text(f"⏳ {self.stage}", style="bold yellow"), Text(f"⏳ {step}", style="bold yellow"))
            )
        self.query_one("#status", Static).update(fit(parts, self.size.width or 80))

    def _update_header(self) -> None:
        """The sticky header: which file the cursor is in, whatever has scrolled away."""
        head = self.query_one("#file-header", Static)
        fi = self.diffview.current_file()
        shown = self.diffview.model  # the file under the cursor in the rows on screen, by identity
        if fi is None or shown is None or self.diff is None:
            head.update(Text(" diff", style="bold"))
            return
        f = shown.files[fi]
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" ✔ " if self.is_reviewed(f.path) else " ▶ ", style="bold")
        t.append(f"{STATUS_MARK.get(str(f.status), '?')} ", style="bold")
        tail = Text()
        tail.append(f"  +{f.added} −{f.removed}")
        n_ai, n_q = self.state.ai_count(f.path), self.state.question_count(f.path)
        if n_ai:
            tail.append(f"  AI {n_ai}", style=f"bold {AI_COLOUR}")
        if n_q:
            tail.append(f"  Q{n_q}", style="bold yellow")
        tail.append(f"  file {fi + 1}/{len(shown.files)}", style="dim")
        if self.diffview.scroll_x:
            tail.append(f"  → col {int(self.diffview.scroll_x) + 1:,} (0: back)", style="bold")
        room = max(16, (head.size.width or 80) - t.cell_len - tail.cell_len - 1)
        if len(visible(f.path)) > room:
            t.append(elide_middle(visible(f.path), room), style="bold")
        else:
            t.append_text(safe_text(f.path, style="bold"))
        t.append_text(tail)
        head.update(t)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Mark the pane holding the focus (its title lights up)."""
        active = self.pane_of(event.widget)
        for pane_id in PANES:
            self.query_one(f"#{pane_id}").set_class(pane_id == active, "-active")

    def pane_of(self, widget: Widget | None) -> str | None:
        node = widget
        while node is not None and node is not self:
            if node.id in PANES:
                return node.id
            node = node.parent  # type: ignore[assignment]
        return None

    def on_key(self, event: events.Key) -> None:
        """A key nothing in the focused pane handles: say where it works instead of doing nothing."""
        if event.key in self.active_bindings or not (event.is_printable or event.key in _NAMED_KEYS):
            return
        where = PANES.get(self.pane_of(self.focused) or "", "this pane")
        shown = event.character if event.is_printable and event.character else event.key
        if event.key in keys_for("diff") and where != "diff":
            hint = f"‘{shown}’ works in the diff: tab to it, or press esc"
        elif event.key in keys_for("files") and where != "file list":
            hint = f"‘{shown}’ moves in the file list: tab to it"
        else:
            hint = f"‘{shown}’ does nothing in the {where} (? lists the keys)"
        self.notify(hint, timeout=2, markup=False)

    # -- events ------------------------------------------------------------------------------------

    def _follow_cursor(self, _row: int = 0) -> None:
        """The file list and the sticky header follow the diff cursor (in the frame that moves it)."""
        fi = self.diffview.current_file()
        if fi is not None:
            self.filelist.highlight_file(fi)
        self._update_header()

    @on(DiffView.CursorMoved)
    def _cursor_moved(self, msg: DiffView.CursorMoved) -> None:
        self._follow_cursor()  # again: a key may have scrolled sideways after moving the cursor
        self.moved_through(msg.row, msg.through)

    @on(FileRows.Highlighted)
    def _file_highlighted(self, msg: FileRows.Highlighted) -> None:
        """Moving in the file list shows that file in the diff (the focus stays in the list)."""
        if self.diffview.current_file() != msg.index:
            self.diffview.goto_file(msg.index)

    @on(FileRows.Chosen)
    def _file_chosen(self, msg: FileRows.Chosen) -> None:
        self.diffview.goto_file(msg.index)
        self.diffview.focus()

    @on(ChecklistPanel.QuestionChosen)
    def _question_chosen(self, _msg: ChecklistPanel.QuestionChosen) -> None:
        self.note_target = None  # the reviewer moved on purpose: e is for the question on screen
        self._show_current_question()

    def _show_current_question(self) -> None:
        q = self.current_question()
        st = self.session.questions.get(q.id) if q else None
        index = self.hit_index.get(q.id) if q else None
        self.detail.show_question(
            q, st, index, note_for=self.note_target, locate=self.locate_hit, source=self.model
        )

    def locate_hit(self, hit: HitView) -> tuple[int, str] | None:
        """(column, line text) of ``hit`` in the diff, or None when its line or match is not there."""
        if self.model is None or not hit.line:
            return None
        fi = self.model.file_index(hit.path)
        row = self.model.row_for_line(fi, hit.line, hit.side) if fi is not None else None
        if row is None:
            return None
        old, new = self.model.lines_at(row)
        ln = old if hit.side == "old" else new
        if ln is None:
            return None
        needle = hit.match.split("[redacted]", 1)[0]
        col = ln.text.find(needle) if needle else -1
        return (max(col, 0), ln.text)


_NAMED_KEYS = frozenset({"pagedown", "pageup", "home", "end", "left", "right", "up", "down", "enter"})
