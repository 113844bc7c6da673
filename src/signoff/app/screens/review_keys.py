"""The review screen's key actions (bound in ``app.actions``): moving, marking files, searching,
answering, notes, evidence. Every list action applies to the highlighted item; after signing, nothing
that would change the review runs (a message says why)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input

from signoff.app.analysis import QuestionView
from signoff.app.safe import safe_text
from signoff.app.screens.note import NoteScreen
from signoff.app.screens.summary import SummaryScreen
from signoff.app.triage import triage_next
from signoff.app.widgets.diffpaint import AI_COLOUR
from signoff.app.widgets.diffview import LineSpan
from signoff.review.session import AnswerValue, Evidence

if TYPE_CHECKING:
    from signoff.app.rows import RowModel
    from signoff.app.state import ReviewState
    from signoff.app.widgets.checklist import ChecklistPanel
    from signoff.app.widgets.detail import DetailPanel
    from signoff.app.widgets.diffview import DiffView
    from signoff.app.widgets.filelist import FileList

#: Characters of a line shown by ``w`` (around the cursor's scroll position for longer lines).
WRAP_LIMIT = 20_000
READ_ONLY = "This review is signed and saved: it is read-only now."


class ReviewKeys(Screen[Any]):
    """Action methods of the review screen (the screen supplies the widgets and the state)."""

    state: ReviewState
    model: RowModel | None
    loaded: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hit_index: dict[str, int] = {}
        #: The question ``e`` writes to: the one just answered, until the reviewer picks another.
        self.note_target: str | None = None
        self.search_rows: list[int] = []
        self.search_info = ""

    if TYPE_CHECKING:

        @property
        def diffview(self) -> DiffView: ...
        @property
        def filelist(self) -> FileList: ...
        @property
        def checklist(self) -> ChecklistPanel: ...
        @property
        def detail(self) -> DetailPanel: ...
        def _update_status(self) -> None: ...
        def _update_header(self) -> None: ...
        def _show_current_question(self) -> None: ...
        def _apply_layout(self) -> None: ...
        def after_mark(self, fi: int, now: bool) -> None: ...

    def _writable(self) -> bool:
        if self.state.signed:
            self.notify(READ_ONLY, timeout=3)
            return False
        return True

    # -- moving ------------------------------------------------------------------------------------

    def action_next_hunk(self) -> None:
        self.diffview.next_hunk(1)

    def action_prev_hunk(self) -> None:
        self.diffview.next_hunk(-1)

    def action_next_file(self) -> None:
        if not self._at_loaded_end():
            self.diffview.next_file(1)

    def action_prev_file(self) -> None:
        self.diffview.next_file(-1)

    def _at_loaded_end(self) -> bool:
        """The cursor is in the last file read so far of a diff still loading: say so (no wrap)."""
        diff, fi = self.state.diff, self.diffview.current_file()
        if diff is None or not diff.partial or fi is None or fi + 1 < len(diff.files):
            return False
        self.notify(f"File {fi + 1} of {diff.files_expected}: the rest is still loading.", timeout=2)
        return True

    def action_toggle_split(self) -> None:
        dv = self.diffview
        dv.set_side_by_side(not dv.side_by_side)
        self._apply_layout()
        self.search_rows = []  # rows differ between layouts
        hidden = dv.side_by_side and not self.query_one("#sidebar").display
        note = " (sidebar hidden at this width: b shows it)" if hidden else ""
        self.notify(("side-by-side" if dv.side_by_side else "unified") + note, timeout=2)

    def action_toggle_tree(self) -> None:
        self.filelist.toggle_tree()

    def action_filter_files(self) -> None:
        self.filelist.open_filter()

    def action_toggle_detail(self) -> None:
        self.detail.display = not self.detail.display

    def action_toggle_sidebar(self) -> None:
        self.sidebar_hidden = not self.sidebar_hidden
        self._apply_layout()

    def action_resize_sidebar(self, delta: int) -> None:
        self.sidebar_delta += delta
        self.sidebar_hidden = False
        self._apply_layout()

    sidebar_delta = 0
    sidebar_hidden = False

    # -- files -------------------------------------------------------------------------------------

    def action_mark_reviewed(self) -> None:
        """Toggle the reviewed mark of the highlighted file (the list follows the diff cursor)."""
        diff = self.state.diff
        fi = self.filelist.highlighted_index()
        if fi is None or diff is None or not self._writable():
            return
        path = diff.files[fi].path
        now = self.state.session.toggle_reviewed(path)
        self.after_mark(fi, now)  # viewed files collapse (and leave the list when hidden)
        self.filelist.refresh_file(fi)
        self.filelist.update_title(self.state.reviewed_count())
        self.diffview.refresh()  # the file's header row is drawn again (its key holds the mark)
        self._update_status()
        n = len(diff.files)
        nxt = None  # the next file not reviewed yet (the walk stops at the first)
        if now:
            nxt = next(
                (j % n for j in range(fi + 1, fi + n) if not self.state.is_reviewed(diff.files[j % n].path)),
                None,
            )
        if nxt is not None:
            self.diffview.goto_file(nxt)  # the header and the list follow the cursor, in this frame
            self.filelist.highlight_file(nxt)
        self._update_header()
        if not now:
            self.notify(safe_text(f"{path}: marked not reviewed").plain, timeout=3, markup=False)
        elif nxt is None:
            self.notify("All files marked reviewed. Press S to finish.", timeout=4)

    # -- search ------------------------------------------------------------------------------------

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.diffview.focus()
        self.diffview.set_search(event.value)
        self.search_rows = self.model.match_rows(event.value) if self.model and event.value else []
        if event.value:
            self._search_step(1, first=True)

    def _search_step(self, delta: int, first: bool = False) -> None:
        term = self.diffview.search_term
        if not term:
            self.notify("Press / to search first.", timeout=2)
            return
        if not self.search_rows and self.model is not None:
            self.search_rows = self.model.match_rows(term)
        rows = self.search_rows
        if not rows:
            diff = self.state.diff
            self.search_info = f"/{term}: no match"
            if diff is not None and diff.partial:  # said on the status line too: it stays
                self.search_info += f" in {len(diff.files)}/{diff.files_expected} files read"
                self.notify(f"no match in the {len(diff.files)} files read so far (still loading)", timeout=2)
            else:
                self.notify("no match", timeout=2)
            self._update_status()
            return
        cur = self.diffview.cursor
        if delta > 0:
            i = bisect_left(rows, cur) if first else bisect_right(rows, cur)
            wrapped = i >= len(rows)
            i = 0 if wrapped else i
        else:
            i = bisect_left(rows, cur) - 1
            wrapped = i < 0
            i = len(rows) - 1 if wrapped else i
        diff = self.state.diff
        loading = (
            f" ({len(diff.files)} of {diff.files_expected} files read so far)"
            if diff and diff.partial
            else ""
        )
        if wrapped:
            self.notify("search wrapped to the " + ("top" if delta > 0 else "bottom") + loading, timeout=2)
        self.diffview.goto_row(rows[i], center=True)
        more = "+" if len(rows) >= 200_000 else ""
        self.search_info = f"/{term} {i + 1}/{len(rows)}{more}"
        if first:
            self.notify(f"{len(rows)}{more} matches{loading}", timeout=2)
        self._update_status()

    def action_search_next(self) -> None:
        self._search_step(1)

    def action_search_prev(self) -> None:
        self._search_step(-1)

    def action_escape(self) -> None:
        box = self.query_one("#search", Input)
        if box.display:
            box.display = False
            self.diffview.focus()
        elif self.diffview.select_anchor is not None:
            self.diffview.action_toggle_selection()
        elif self.focused is not self.diffview:
            self.diffview.focus()

    # -- questions ---------------------------------------------------------------------------------

    def current_question(self) -> QuestionView | None:
        return self.state.question(self.checklist.current)

    def _need_question(self) -> QuestionView | None:
        q = self.current_question()
        if q is None:
            self.notify("No question selected." if self.loaded else "Still matching checklists…", timeout=2)
        return q

    def action_answer(self, value: str) -> None:
        """Answer the highlighted question, then move the walk on; ``e`` still writes this one's note."""
        q = self._need_question()
        if q is None or not self._writable():
            return
        self.state.session.answer(q.id, AnswerValue(value) if value else None)
        self.checklist.rebuild()
        self._update_status()
        ids = self.state.triggered_ids()
        self.note_target = None
        if value and q.triggered and self.state.session.answered(ids) < len(ids):
            self.checklist.move(1, unanswered=True, notify=False)
            self.note_target = q.id if self.checklist.current != q.id else None
        elif value and ids and self.state.session.answered(ids) == len(ids):
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
        dv = self.diffview
        if not dv.goto_line(hit.path, hit.line, hit.side) and hit.line:
            self.notify(
                safe_text(f"{hit.path}:{hit.line} is not shown in the diff").plain, timeout=2, markup=False
            )
        elif self.model is not None:
            old, new = self.model.lines_at(dv.cursor)
            ln = old if hit.side == "old" else new
            needle = hit.match.split("[redacted]", 1)[0]
            col = ln.text.find(needle) if ln is not None and needle else -1
            dv.show_column(ln.text if ln is not None else "", max(col, 0), len(needle) if col >= 0 else 0)
        self._show_current_question()

    def next_hit_row(self) -> int | None:
        """The row ``.`` would jump to (the diff view draws its screen ahead), or None."""
        try:
            q = self.current_question()
        except NoMatches:  # the screen is being taken down (drawing ahead ran on the way out)
            return None
        if q is None or not q.hits or self.model is None:
            return None
        i = self.hit_index.get(q.id)
        hit = q.hits[0 if i is None else (i + 1) % len(q.hits)]
        fi = self.model.file_index(hit.path)
        if fi is None or not hit.line or self.model.collapsed(fi):
            return None
        return self.model.row_for_line(fi, hit.line, hit.side)

    def action_next_hit(self) -> None:
        self._jump_hit(1)

    def action_prev_hit(self) -> None:
        self._jump_hit(-1)

    def action_edit_note(self) -> None:
        """The note editor for the question just answered (else the highlighted one); typed text is
        autosaved as an unsaved edit, so neither a cancel nor a crash loses it."""
        if not self._writable():
            return
        q = self.state.question(self.note_target) if self.note_target else self._need_question()
        if q is None:
            return
        why = "just answered" if q.id == self.note_target else ""
        st = self.state.session.questions.get(q.id)

        def edited(text: str | None) -> None:
            self.state.session.set_note_edit(q.id, text)

        def done(note: str | None) -> None:
            if note is not None:
                self.state.session.set_note(q.id, note)
                self.notify(safe_text(f"note saved for {q.id}").plain, timeout=2, markup=False)
            self._show_current_question()

        screen = NoteScreen(
            q.id,
            q.text,
            st.note if st else "",
            unsaved=self.state.session.note_edits.get(q.id),
            on_edit=edited,
            why=why,
        )
        self.app.push_screen(screen, done)

    def action_triage(self) -> None:
        """Judge the scanner finding here (signoff.app.triage)."""
        if self._writable():
            triage_next(self)

    def action_attach_evidence(self) -> None:
        q = self._need_question()
        diff = self.state.diff
        if q is None or self.model is None or diff is None or not self._writable():
            return
        dv = self.diffview
        span = self._selected_lines()
        if span is None:
            return
        ev = Evidence.span(span.path, span.start, span.end, span.blob, span.side)
        if self.state.session.add_evidence(q.id, ev):
            self.notify(safe_text(f"evidence {ev.path}:{ev.lines} attached").plain, timeout=2, markup=False)
        dv.select_anchor = None
        dv._invalidate()
        self._show_current_question()

    def _selected_lines(self) -> LineSpan | None:
        """The selected lines (or the cursor's), or None after saying how to pick a line."""
        span = self.diffview.selected_lines()
        if span is None:
            self.notify("Put the cursor on a diff line (v selects a range).", timeout=3)
        return span

    # -- lines -------------------------------------------------------------------------------------

    def action_wrap_line(self) -> None:
        """The whole cursor line, wrapped, in the detail panel (a long line's far end included)."""
        if self.model is None:
            return
        dv = self.diffview
        old, new = self.model.lines_at(dv.cursor)
        ln = new or old
        if ln is None:
            self.notify("Put the cursor on a diff line.", timeout=2)
            return
        path = self.model.files[self.model.file_of(dv.cursor)].path
        no = ln.new_no if ln is new else ln.old_no
        text = ln.text
        lo = 0
        if len(text) > WRAP_LIMIT:
            lo = max(0, min(int(dv.scroll_x), len(text) - WRAP_LIMIT))
            text = text[lo : lo + WRAP_LIMIT]
        t = Text()
        t.append_text(safe_text(f"{path}:{no}", style="bold"))
        t.append(f"  {len(ln.text):,} characters", style="dim")
        if lo or lo + len(text) < len(ln.text):
            t.append(f" (showing {lo + 1:,}–{lo + len(text):,})", style="dim")
        t.append("\n")
        t.append_text(safe_text(text))
        self.detail.display = True
        self.detail.show(t)

    def action_line_info(self) -> None:
        if self.model is None:
            return
        dv = self.diffview
        _old, new = self.model.lines_at(dv.cursor)
        path = self.model.files[self.model.file_of(dv.cursor)].path
        ai = self.state.ai
        t = Text()
        t.append("▌", style=f"bold {AI_COLOUR}")
        t.append(" marks lines attributed to an AI tool.\n\n", style="dim")
        reason = None
        if new is not None and new.new_no is not None and new.kind == "+":
            reason = ai.lines.get(path, {}).get(new.new_no)
        t.append_text(safe_text(f"{path}:{new.new_no if new and new.new_no else '?'}", style="bold"))
        if reason:
            t.append("  AI-attributed: ", style=f"bold {AI_COLOUR}")
            t.append_text(safe_text(reason))
        elif not self.state.ai_enabled:
            t.append("  AI attribution is off (--no-ai)", style="dim")
        else:
            t.append("  not AI-attributed", style="dim")
        if ai.commits:
            t.append("\n\nAI commits in this range:\n", style="bold")
            for sha, why in ai.commits[:20]:
                t.append(f"  {sha[:12]} ", style="yellow")
                t.append_text(safe_text(why))
                t.append("\n")
        self.detail.display = True
        self.detail.show(t)

    def action_finish(self) -> None:
        if self.state.diff is None:
            self.notify("The diff is still loading.", timeout=2)
            return
        self.app.push_screen(SummaryScreen(self.state))
