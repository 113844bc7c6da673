"""The main review screen: file list, diff, checklist and the current question's detail."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from signoff.app import messages as m
from signoff.app.analysis import AiView, QuestionView, load_ai, load_questions
from signoff.app.rows import RowModel, pair_counts
from signoff.app.safe import safe_text
from signoff.app.widgets.checklist import ChecklistPanel, DetailPanel
from signoff.app.widgets.diffpaint import AI_COLOUR
from signoff.app.widgets.diffview import DiffView
from signoff.app.widgets.filelist import FileList
from signoff.diff.model import Diff, DiffOptions
from signoff.diff.parse import load_diff
from signoff.review.session import AnswerValue, Evidence

if TYPE_CHECKING:
    from signoff.app.app import SignoffApp

#: (title, action, help) for every review action: the command palette and the help screen list them.
ACTIONS: list[tuple[str, str, str]] = [
    ("Next hunk", "next_hunk", "Jump to the next hunk (])"),
    ("Previous hunk", "prev_hunk", "Jump to the previous hunk ([)"),
    ("Next file", "next_file", "Jump to the next file (})"),
    ("Previous file", "prev_file", "Jump to the previous file ({)"),
    ("Mark file reviewed", "mark_reviewed", "Toggle the current file's reviewed mark and move on (r)"),
    ("Search in diff", "search", "Search the diff text and paths (/)"),
    ("Next search match", "search_next", "Next match (n)"),
    ("Previous search match", "search_prev", "Previous match (N)"),
    ("Toggle side-by-side", "toggle_split", "Unified or side-by-side diff (s)"),
    ("Toggle file tree", "toggle_tree", "Flat list or directory tree (t)"),
    ("Filter files", "filter_files", "Type to filter the file list (F)"),
    ("Answer pass", "answer('pass')", "Current question passes (p)"),
    ("Answer fail", "answer('fail')", "Current question fails (f)"),
    ("Answer n/a", "answer('na')", "Current question does not apply (a)"),
    ("Clear answer", "answer('')", "Remove the current answer (c)"),
    ("Next question", "next_question", "Next question (J)"),
    ("Previous question", "prev_question", "Previous question (K)"),
    ("Next unanswered question", "next_unanswered", "Next question without an answer (U)"),
    ("Next hit", "next_hit", "Jump the diff to the current question's next hit (.)"),
    ("Previous hit", "prev_hit", "Jump the diff to the current question's previous hit (,)"),
    ("Edit note", "edit_note", "Write a note for the current question (e)"),
    ("Attach evidence", "attach_evidence", "Attach the current line or selection to the question (m)"),
    ("Show untriggered questions", "toggle_all_questions", "Show or hide questions not triggered (u)"),
    ("Why is this line AI?", "line_info", "Show the AI attribution reason for the line (i)"),
    ("Toggle detail panel", "toggle_detail", "Show or hide the question detail (d)"),
    ("Finish review", "finish", "Summary, verdict, sign and save (S)"),
    ("History", "app.history", "Past reviews of this repository (H)"),
    ("Help", "app.help", "Keys and what they do (?)"),
    ("Quit (keep draft)", "app.quit", "Leave; the draft is kept for next time (q)"),
]


class ReviewScreen(Screen):
    """Everything a reviewer needs on one screen."""

    BINDINGS = [
        Binding("right_square_bracket", "next_hunk", "Hunk▸", key_display="]", id="review.next-hunk"),
        Binding(
            "left_square_bracket", "prev_hunk", "◂Hunk", key_display="[", show=False, id="review.prev-hunk"
        ),
        Binding("right_curly_bracket", "next_file", "File▸", key_display="}", id="review.next-file"),
        Binding(
            "left_curly_bracket", "prev_file", "◂File", key_display="{", show=False, id="review.prev-file"
        ),
        Binding("r", "mark_reviewed", "Reviewed", id="review.mark-reviewed"),
        Binding("slash", "search", "Search", id="review.search"),
        Binding("n", "search_next", "Next match", show=False, id="review.search-next"),
        Binding("N", "search_prev", "Prev match", show=False, id="review.search-prev"),
        Binding("s", "toggle_split", "Split", show=False, id="review.toggle-split"),
        Binding("t", "toggle_tree", "Tree", show=False, id="review.toggle-tree"),
        Binding("F", "filter_files", "Filter", show=False, id="review.filter-files"),
        Binding("p", "answer('pass')", "Pass", id="review.answer-pass"),
        Binding("f", "answer('fail')", "Fail", id="review.answer-fail"),
        Binding("a", "answer('na')", "N/A", id="review.answer-na"),
        Binding("c", "answer('')", "Clear", show=False, id="review.answer-clear"),
        Binding("J", "next_question", "Next Q", show=False, id="review.next-question"),
        Binding("K", "prev_question", "Prev Q", show=False, id="review.prev-question"),
        Binding("U", "next_unanswered", "Unanswered", show=False, id="review.next-unanswered"),
        Binding("full_stop", "next_hit", "Hit▸", key_display=".", id="review.next-hit"),
        Binding("comma", "prev_hit", "◂Hit", key_display=",", show=False, id="review.prev-hit"),
        Binding("e", "edit_note", "Note", id="review.edit-note"),
        Binding("m", "attach_evidence", "Evidence", id="review.attach-evidence"),
        Binding("u", "toggle_all_questions", "All Qs", show=False, id="review.all-questions"),
        Binding("i", "line_info", "Why AI", show=False, id="review.line-info"),
        Binding("d", "toggle_detail", "Detail", show=False, id="review.toggle-detail"),
        Binding("S", "finish", "Finish", id="review.finish"),
        Binding("escape", "escape", "Back", show=False, id="review.escape"),
    ]

    def __init__(self) -> None:
        super().__init__(id="review")
        self.diff: Diff | None = None
        self.model: RowModel | None = None
        self.ai = AiView()
        self.questions: list[QuestionView] = []
        #: ``signoff.relevance.engine.Relevance`` (None until loaded or when unavailable).
        self.relevance = None
        self.hit_index: dict[str, int] = {}
        self.stage = "Starting…"
        self.loaded = False
        self.t_first_paint: float | None = None
        self.t_analysis: float | None = None

    @property
    def sapp(self) -> SignoffApp:
        return self.app  # type: ignore[return-value]

    @property
    def session(self):
        return self.sapp.session

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                yield FileList(id="files")
                yield ChecklistPanel(id="checklist")
            with Vertical(id="right"):
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
        fl.ai_count = self.ai.count
        fl.question_count = self._question_count
        fl.reviewed = self.is_reviewed
        self.checklist.state_of = lambda qid: self.session.questions.get(qid)
        self.checklist.rebuild()
        self.detail.show(Text("Loading…", style="dim"))
        self.diffview.focus()
        self._update_status()
        self.call_after_refresh(self._first_paint)
        self.load()
        self.set_interval(0.5, self._track_seen)

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < 110, "-narrow")
        self.set_class(event.size.height < 30, "-short")

    def _first_paint(self) -> None:
        self.t_first_paint = time.perf_counter()

    # -- loading -----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        app = self.sapp
        stage = "diff"
        try:
            self.post_message(m.Progress(1, 3, "Loading diff"))
            t0 = time.perf_counter()
            diff = load_diff(app.git, app.target, app.diff_options or DiffOptions())
            self.post_message(m.DiffLoaded(diff, time.perf_counter() - t0))
            stage = "AI attribution"
            self.post_message(m.Progress(2, 3, "Attributing AI lines"))
            ai = load_ai(app.git, app.target, diff)
            self.post_message(m.AiLoaded(ai))
            stage = "checklists"
            self.post_message(m.Progress(3, 3, "Matching checklists"))
            questions, relevance = load_questions(app.git, diff, ai, app.opt_in)
            self.post_message(m.QuestionsLoaded(questions, relevance))
            self.post_message(m.Progress(3, 3, "Ready", done=True))
            longest = 0
            for f in diff.files:
                for h in f.hunks:
                    if h.body:
                        longest = max(longest, max(map(len, h.body.split("\n"))))
            self.post_message(m.MaxLineLength(longest))
            self.post_message(m.PairCounts(pair_counts(diff)))  # the side-by-side toggle is then instant
        except Exception as exc:  # shown in the UI; the diff (if loaded) stays reviewable
            self.post_message(m.LoadFailed(stage, str(exc)))

    def on_progress(self, msg: m.Progress) -> None:
        self.stage = "" if msg.done else f"[{msg.step}/{msg.total}] {msg.label}…"
        if msg.done:
            self.loaded = True
            self.t_analysis = time.perf_counter()
        self._update_status()

    def on_diff_loaded(self, msg: m.DiffLoaded) -> None:
        self.diff = msg.diff
        self.model = RowModel(msg.diff)
        if not msg.diff.files:
            self.diffview.placeholder = "Nothing to review: the diff is empty."
        self.diffview.set_model(self.model)
        self.filelist.set_files(msg.diff.files)
        self.filelist.highlight_file(0)
        self._update_status()

    def on_ai_loaded(self, msg: m.AiLoaded) -> None:
        self.ai = msg.ai
        self.filelist.ai_count = self.ai.count
        self.diffview.set_ai(self.ai)
        self.filelist.rebuild()
        self._update_status()

    def on_questions_loaded(self, msg: m.QuestionsLoaded) -> None:
        self.questions = msg.questions
        self.relevance = msg.relevance
        self.checklist.set_questions(msg.questions)
        self.filelist.rebuild()
        self._show_current_question()
        self._update_status()

    def on_max_line_length(self, msg: m.MaxLineLength) -> None:
        self.diffview.set_max_line_length(msg.length)

    def on_pair_counts(self, msg: m.PairCounts) -> None:
        if self.model is not None:
            self.model.add_pair_counts(msg.counts)

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

    # -- status ------------------------------------------------------------------------------------

    def _question_count(self, path: str) -> int:
        return sum(1 for q in self.questions if q.triggered and any(h.path == path for h in q.hits))

    def is_reviewed(self, path: str) -> bool:
        return path in self.session.reviewed_files

    def triggered_ids(self) -> list[str]:
        return [q.id for q in self.questions if q.triggered]

    def _update_status(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" signoff ", style="bold reverse")
        t.append(" ")
        t.append_text(safe_text(self.sapp.target.spec or self.sapp.target.kind, style="bold"))
        if self.diff is not None:
            d = self.diff
            t.append(f"  {len(d.files)} files ", style="")
            t.append(f"+{d.added}", style="green")
            t.append(f" −{d.removed}", style="red")
            done = sum(1 for f in d.files if self.is_reviewed(f.path))
            t.append(f"  reviewed {done}/{len(d.files)}")
        if self.ai.total:
            t.append("  ▌", style=f"bold {AI_COLOUR}")
            t.append(f"AI {self.ai.total} lines", style=AI_COLOUR)
        if self.questions:
            ids = self.triggered_ids()
            t.append(f"  answered {self.session.answered(ids)}/{len(ids)}")
        if self.stage:
            t.append(f"  ⏳ {self.stage}", style="bold yellow")
        self.query_one("#status", Static).update(t)

    # -- diff events -------------------------------------------------------------------------------

    @on(DiffView.CursorMoved)
    def _cursor_moved(self, msg: DiffView.CursorMoved) -> None:
        fi = msg.view.current_file()
        if fi is not None:
            self.filelist.highlight_file(fi)

    def _track_seen(self) -> None:
        if not self.ai.lines or self.model is None:
            return
        dv = self.diffview
        changed = False
        for r in dv.visible_rows():
            if r >= len(self.model):
                break
            _old, new = self.model.lines_at(r)
            if new is None or new.kind != "+" or new.new_no is None:
                continue
            path = self.model.files[self.model.file_of(r)].path
            if new.new_no in self.ai.lines.get(path, {}):
                changed |= self.session.mark_seen(path, {new.new_no})
        if changed:
            self.sapp.save_draft()

    @on(FileList.FileChosen)
    def _file_chosen(self, msg: FileList.FileChosen) -> None:
        self.diffview.goto_file(msg.index)
        self.diffview.focus()

    @on(ChecklistPanel.QuestionChosen)
    def _question_chosen(self, _msg: ChecklistPanel.QuestionChosen) -> None:
        self._show_current_question()

    def current_question(self) -> QuestionView | None:
        qid = self.checklist.current
        return next((q for q in self.questions if q.id == qid), None)

    def _show_current_question(self) -> None:
        q = self.current_question()
        self.detail.show_question(
            q, self.session.questions.get(q.id) if q else None, self.hit_index.get(q.id) if q else None
        )

    # -- actions: navigation -----------------------------------------------------------------------

    def action_next_hunk(self) -> None:
        self.diffview.next_hunk(1)

    def action_prev_hunk(self) -> None:
        self.diffview.next_hunk(-1)

    def action_next_file(self) -> None:
        self.diffview.next_file(1)

    def action_prev_file(self) -> None:
        self.diffview.next_file(-1)

    def action_toggle_split(self) -> None:
        dv = self.diffview
        dv.set_side_by_side(not dv.side_by_side)
        self.notify("side-by-side" if dv.side_by_side else "unified", timeout=1.5)

    def action_toggle_tree(self) -> None:
        self.filelist.toggle_tree()

    def action_filter_files(self) -> None:
        self.query_one("#file-filter", Input).focus()

    def action_toggle_detail(self) -> None:
        self.detail.display = not self.detail.display

    def action_mark_reviewed(self) -> None:
        fi = self.diffview.current_file()
        if fi is None or self.diff is None:
            return
        path = self.diff.files[fi].path
        now = self.session.toggle_reviewed(path)
        self.filelist.rebuild()
        self.diffview._invalidate()
        self._update_status()
        if now:
            nxt = next(
                (
                    j
                    for j in [*range(fi + 1, len(self.diff.files)), *range(fi)]
                    if not self.is_reviewed(self.diff.files[j].path)
                ),
                None,
            )
            if nxt is not None:
                self.diffview.goto_file(nxt)
            else:
                self.notify("All files marked reviewed. Press S to finish.", timeout=4)

    # -- actions: search ---------------------------------------------------------------------------

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.diffview.focus()
        if event.value and not self.diffview.search(event.value):
            self.notify("no match", timeout=2)

    def action_search_next(self) -> None:
        if self.diffview.search_term and not self.diffview.search(self.diffview.search_term):
            self.notify("no match", timeout=2)

    def action_search_prev(self) -> None:
        if self.diffview.search_term and not self.diffview.search(self.diffview.search_term, backwards=True):
            self.notify("no match", timeout=2)

    def action_escape(self) -> None:
        box = self.query_one("#search", Input)
        if box.display:
            box.display = False
            self.diffview.focus()
        elif self.diffview.anchor is not None:
            self.diffview.action_toggle_selection()
        elif self.focused is not self.diffview:
            self.diffview.focus()

    # -- actions: checklist ------------------------------------------------------------------------

    def _need_question(self) -> QuestionView | None:
        q = self.current_question()
        if q is None:
            self.notify("No question selected." if self.loaded else "Still matching checklists…", timeout=2)
        return q

    def action_answer(self, value: str) -> None:
        q = self._need_question()
        if q is None:
            return
        self.session.answer(q.id, AnswerValue(value) if value else None)
        self.checklist.rebuild()
        self._update_status()
        ids = self.triggered_ids()
        if value and q.triggered and self.session.answered(ids) < len(ids):
            self.checklist.move(1, unanswered=True)
        elif value and ids and self.session.answered(ids) == len(ids):
            self.notify("All triggered questions answered. Press S to finish.", timeout=4)
        self._show_current_question()

    def action_next_question(self) -> None:
        self.checklist.move(1)

    def action_prev_question(self) -> None:
        self.checklist.move(-1)

    def action_next_unanswered(self) -> None:
        if self.checklist.move(1, unanswered=True) is None:
            self.notify("Every question has an answer.", timeout=2)

    def action_toggle_all_questions(self) -> None:
        self.checklist.show_all = not self.checklist.show_all
        self.checklist.rebuild()

    def _jump_hit(self, delta: int) -> None:
        q = self._need_question()
        if q is None:
            return
        if not q.hits:
            self.notify("This question has no hit lines.", timeout=2)
            return
        i = self.hit_index.get(q.id)
        i = (0 if delta > 0 else len(q.hits) - 1) if i is None else (i + delta) % len(q.hits)
        self.hit_index[q.id] = i
        hit = q.hits[i]
        if not self.diffview.goto_line(hit.path, hit.line, hit.side) and hit.line:
            self.notify(
                safe_text(f"{hit.path}:{hit.line} is not shown in the diff").plain, timeout=2, markup=False
            )
        self._show_current_question()

    def action_next_hit(self) -> None:
        self._jump_hit(1)

    def action_prev_hit(self) -> None:
        self._jump_hit(-1)

    def action_edit_note(self) -> None:
        from signoff.app.screens.note import NoteScreen

        q = self._need_question()
        if q is None:
            return
        st = self.session.questions.get(q.id)

        def done(note: str | None) -> None:
            if note is not None:
                self.session.set_note(q.id, note)
                self._show_current_question()

        self.app.push_screen(NoteScreen(q.text, st.note if st else ""), done)

    def action_attach_evidence(self) -> None:
        q = self._need_question()
        if q is None or self.model is None or self.diff is None:
            return
        dv = self.diffview
        start, end = dv.selection() or (dv.cursor, dv.cursor)
        fi, side, nos = dv.line_numbers(start, end)
        if fi is None or not nos:
            self.notify("Put the cursor on a diff line (v selects a range).", timeout=3)
            return
        f = self.diff.files[fi]
        ev = Evidence(
            path=f.new_path if side == "new" and f.new_path else (f.old_path or f.path),
            start=min(nos),
            end=max(nos),
            blob=f.new_blob if side == "new" else f.old_blob,
            side=side,
        )
        if self.session.add_evidence(q.id, ev):
            self.notify(safe_text(f"evidence {ev.path}:{ev.lines} attached").plain, timeout=2, markup=False)
        dv.anchor = None
        dv._invalidate()
        self._show_current_question()

    def action_line_info(self) -> None:
        if self.model is None:
            return
        dv = self.diffview
        _old, new = self.model.lines_at(dv.cursor)
        path = self.model.files[self.model.file_of(dv.cursor)].path
        t = Text()
        t.append("▌", style=f"bold {AI_COLOUR}")
        t.append(" marks lines attributed to an AI tool.\n\n", style="dim")
        reason = None
        if new is not None and new.new_no is not None and new.kind == "+":
            reason = self.ai.lines.get(path, {}).get(new.new_no)
        t.append_text(safe_text(f"{path}:{new.new_no if new and new.new_no else '?'}", style="bold"))
        if reason:
            t.append("  AI-attributed: ", style=f"bold {AI_COLOUR}")
            t.append_text(safe_text(reason))
        else:
            t.append("  not AI-attributed", style="dim")
        if self.ai.commits:
            t.append("\n\nAI commits in this range:\n", style="bold")
            for sha, why in self.ai.commits[:20]:
                t.append(f"  {sha[:12]} ", style="yellow")
                t.append_text(safe_text(why))
                t.append("\n")
        self.detail.display = True
        self.detail.show(t)

    def action_finish(self) -> None:
        from signoff.app.screens.summary import SummaryScreen

        if self.diff is None:
            self.notify("The diff is still loading.", timeout=2)
            return
        self.app.push_screen(SummaryScreen(self))
