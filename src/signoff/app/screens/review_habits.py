"""What reviewers expect on the review screen, and what keeps the record honest.

Line comments (``C``); review since the last review (offered after the analysis, ``R`` again); finishing
only once the analysis is complete; a warning before ``ai.manual-review`` passes with AI lines unseen;
"AI lines looked at" = lines the cursor moved through with the diff focused (``cursor/1``); views that
never change what the record covers: whitespace ignored (``W``), more context (``x``), the whole file
(``X``), viewed files collapsed and hidden (``V``); a fuzzy file jump (``o``); the current line in
``$EDITOR`` (``E``). A mixin of :class:`~signoff.app.screens.review.ReviewScreen`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.command import SimpleCommand
from textual.message import Message

from signoff.app.editor import editor_command, file_to_open, open_in_editor
from signoff.app.rows import RowModel
from signoff.app.safe import safe_text
from signoff.app.screens.confirm import ConfirmScreen
from signoff.app.screens.note import NoteScreen
from signoff.app.screens.rereview_offer import RereviewOffer
from signoff.app.statusline import Part
from signoff.app.viewanchor import anchor_at, row_of
from signoff.diff.model import Diff, DiffOptions
from signoff.diff.parse import load_diff
from signoff.errors import SignoffError
from signoff.review.rereview import PreviousReview, carry_forward, find_previous, load_interdiff
from signoff.review.session import LineComment
from signoff.util.sanitize import visible

if TYPE_CHECKING:
    from signoff.app.state import ReviewState

#: The question whose pass says "the AI-written code was reviewed by a person".
AI_MANUAL_REVIEW = "ai.manual-review"
#: Lines of context added by each ``x``; ``X`` shows the whole file.
MORE_CONTEXT, WHOLE_FILE = 10, 1_000_000


@dataclass
class PreviousFound(Message):
    previous: PreviousReview
    plan: Any
    interdiff: Diff
    #: Re-opened a draft that already started from this record: show the interdiff, ask nothing.
    resume: bool = False
    #: The reviewer asked (``R``): show the dialog, not just the notice.
    asked: bool = False


@dataclass
class ViewLoaded(Message):
    """A new shown diff (interdiff, ``-w``, more context); the record's diff is unchanged."""

    diff: Diff
    #: The request it answers (:meth:`ReviewHabits._reload_view`); older ones are dropped.
    generation: int = 0


@dataclass(frozen=True)
class ViewRequest:
    """What a reload shows, read on the UI thread when the key is pressed (never from the worker)."""

    generation: int
    ignore_ws: bool
    contexts: dict[str, int]
    #: The earlier review whose interdiff is shown, or None for the whole diff.
    since: PreviousReview | None


class ReviewHabits:
    """Actions and handlers; the attributes below come from the review screen."""

    state: ReviewState
    model: RowModel | None
    loaded: bool
    diffview: Any
    filelist: Any
    app: Any
    session: Any
    _last_row: int | None = None
    _previous: PreviousReview | None = None
    _found: PreviousFound | None = None
    _since_last: bool = False
    _ignore_ws: bool = False
    _contexts: dict[str, int] | None = None
    _hide_viewed: bool = False
    _view_generation: int = 0

    if TYPE_CHECKING:

        def notify(self, message: str, **kw: Any) -> None: ...
        def current_question(self) -> Any: ...
        def _writable(self) -> bool: ...
        def _selected_lines(self) -> Any: ...
        def _update_status(self) -> None: ...
        def _update_header(self) -> None: ...
        def _show_current_question(self) -> None: ...
        def post_message(self, message: Message) -> bool: ...

    # -- the record says what happened ---------------------------------------------------------------

    @property
    def full_diff(self) -> Diff | None:
        """The diff the record covers (the view may show the interdiff or a ``-w`` diff)."""
        return self.state.full_diff

    @property
    def analysis_complete(self) -> bool:
        """Every analysis stage finished (diff, questions, AI attribution)."""
        return self.loaded and not self.state.pending_stages()

    def pending_stages(self) -> list[str]:
        return self.state.pending_stages()

    def action_finish(self) -> None:
        if not self.loaded:
            pending = ", ".join(self.state.pending_stages())
            self.notify(
                f"Still analysing ({pending}): finishing opens when the analysis is complete.", timeout=3
            )
            return
        super().action_finish()  # type: ignore[misc]

    def action_answer(self, value: str) -> None:
        """Passing ``ai.manual-review`` with AI lines not looked at asks first."""
        q = self.current_question()
        unseen = self.session.unseen_ai(self.state.ai.line_sets())
        if value != "pass" or q is None or q.id != AI_MANUAL_REVIEW or not unseen or not self._writable():
            super().action_answer(value)  # type: ignore[misc]
            return
        body = Text(f"{sum(unseen.values())} AI-attributed line(s) not looked at yet:\n", style="bold")
        for path, n in sorted(unseen.items())[:12]:
            body.append("   ")
            body.append_text(safe_text(path))
            body.append(f"  {n}\n")
        body.append("Looked at = the cursor moved through them with the diff focused.", style="dim")

        def decided(yes: bool | None) -> None:
            if yes:
                super(ReviewHabits, self).action_answer(value)  # type: ignore[misc]

        self.app.push_screen(
            ConfirmScreen(
                "Pass the AI manual-review question?", body, question="Pass it anyway?", id="confirm-ai"
            ),
            decided,
        )

    def moved_through(self, row: int, through: bool) -> None:
        """Record the AI lines the cursor passed (``through``) or landed on, with the diff focused."""
        last, self._last_row = self._last_row, row
        ai = self.state.ai
        dv = self.diffview
        if not ai.lines or self.model is None or not dv.has_focus:
            return
        rows = range(min(last, row), max(last, row) + 1) if through and last is not None else (row,)
        changed = False
        for r in rows:
            if r >= len(self.model):
                break
            _old, new = self.model.lines_at(r)
            if new is None or new.kind != "+" or new.new_no is None:
                continue
            path = self.model.files[self.model.file_of(r)].path
            if new.new_no in ai.lines.get(path, {}):
                changed |= self.session.mark_seen(path, {new.new_no})
        if changed:
            self.app.save_draft()

    # -- line comments --------------------------------------------------------------------------------

    def action_comment(self) -> None:
        """A free-form comment on the line or selection (edits the comment already there)."""
        diff = self.state.diff
        if self.model is None or diff is None or not self._writable():
            return
        dv = self.diffview
        span = self._selected_lines()
        if span is None:
            return
        path, side, lo, hi = span.path, span.side, span.start, span.end
        existing = self.session.comments_at(path, side, lo)
        where = f"{path}:{lo}" if lo == hi else f"{path}:{lo}-{hi}"
        old = self.session.comments[existing[0]].text if existing else ""

        def done(text: str | None) -> None:
            if text is None:
                return
            if existing:
                self.session.set_comment(existing[0], text)
            elif text.strip():
                self.session.add_comment(LineComment(path, lo, hi, text, side, span.blob))
            dv.select_anchor = None
            dv.refresh_comments()

        self.app.push_screen(NoteScreen(where, f"Comment on {visible(where)}", old, why="line comment"), done)

    # -- review since the last review -----------------------------------------------------------------

    def check_previous(self) -> None:
        if self.state.target.kind == "range" and self.state.relevance is not None:
            self._find_previous(resume=bool(self.session.previous))

    def action_rereview(self) -> None:
        if not self.loaded:
            self.notify("Still analysing.", timeout=2)
        elif self._since_last:
            self.notify("Already showing the changes since the last review.", timeout=2)
        elif self._found is not None:
            self.on_previous_found(replace(self._found, asked=True))
        else:
            self._find_previous(resume=False, asked=True)

    @work(thread=True, exclusive=True, group="previous")
    def _find_previous(self, resume: bool, asked: bool = False) -> None:
        st = self.state
        try:
            prev = find_previous(st.git, st.target, prefer=st.git.config_get("user.email") or "")
            if prev is None or (
                resume and prev.payload_sha256 != (self.session.previous or {}).get("payload_sha256")
            ):
                if asked:
                    self.app.call_from_thread(
                        self.notify, "No earlier valid record of this range.", timeout=3
                    )
                return
            inter = load_interdiff(st.git, st.target, prev, st.diff_options or DiffOptions())
            plan = carry_forward(prev.record, st.relevance, inter)
        except SignoffError as exc:
            self.app.call_from_thread(self.notify, visible(exc.message), timeout=4, markup=False)
            return
        self.post_message(PreviousFound(prev, plan, inter, resume, asked))

    def on_previous_found(self, msg: PreviousFound) -> None:
        """Resuming such a review: back to the interdiff. Otherwise the offer: a notice after the
        analysis (never in the way), the dialog with ``R``."""
        if msg.resume:
            self._start_since(msg, carry=False)
            return
        if self.state.signed:
            return
        self._found = msg
        if not msg.asked:
            who = visible(msg.previous.signer or msg.previous.record.reviewer.email)
            self.notify(
                f"Reviewed before by {who} at {msg.previous.head[:12]}: press R to review only the "
                f"changes since ({len(msg.plan.carried)} answer(s) carry forward).",
                timeout=8,
                markup=False,
            )
            return
        plan = msg.plan
        offer = RereviewOffer(msg.previous, len(plan.carried), len(plan.reanswer), len(msg.interdiff.files))

        def chosen(since: bool | None) -> None:
            if since:
                self._start_since(msg, carry=True)

        self.app.push_screen(offer, chosen)

    def _start_since(self, msg: PreviousFound, *, carry: bool) -> None:
        self._previous, self._since_last = msg.previous, True
        if carry:
            link = msg.previous.link()
            self.session.start_from(
                {k: getattr(link, k) for k in ("record", "payload_sha256", "reviewer", "head", "finished")},
                msg.plan,
            )
            self.notify(
                f"Since the last review: {len(msg.plan.carried)} answer(s) carried, "
                f"{len(msg.plan.reanswer)} to answer again.",
                timeout=4,
            )
        if self._ignore_ws or self._contexts:
            self._reload_view()
        else:
            self._show_view(msg.interdiff)

    # -- views (never the record) ---------------------------------------------------------------------

    def view_notes(self) -> list[Part]:
        """What the view shows instead of the plain diff: never cut from the status line."""
        notes = []
        if self._since_last:
            t = Text("since last review", style="bold cyan")
            short = Text("since last", style="bold cyan")
            if self.session.reanswer:
                n = len(self.session.reanswer)
                t.append(f" ({n} to re-answer)", style="yellow")
                short.append(f" ({n})", style="yellow")
            notes.append(Part(t, short))
        if self._ignore_ws:
            notes.append(
                Part(
                    Text("whitespace ignored", style="bold magenta"), Text("ws ignored", style="bold magenta")
                )
            )
        if self._hide_viewed:
            notes.append(Part(Text("viewed hidden", style="dim")))
        return notes

    def _diff_loading(self) -> bool:
        """The diff is still being read: views of it (W, x, X) wait for the whole of it; say so."""
        diff = self.state.diff
        if diff is not None and not diff.partial:
            return False
        self.notify("The diff is still loading: other views of it open once it is complete.", timeout=2)
        return True

    def action_toggle_whitespace(self) -> None:
        if self._diff_loading():
            return
        self._ignore_ws = not self._ignore_ws
        self.notify(
            "Whitespace-only changes hidden (a view: the record covers the plain diff)."
            if self._ignore_ws
            else "Whitespace changes shown again.",
            timeout=3,
        )
        self._reload_view()

    def _context_for_current(self, lines: int) -> None:
        diff = self.state.diff
        fi = self.diffview.current_file()
        if diff is None or fi is None or self._diff_loading():
            return
        path = diff.files[fi].path
        contexts = dict(self._contexts or {})
        base = (self.state.diff_options or DiffOptions()).context
        contexts[path] = lines if lines == WHOLE_FILE else min(WHOLE_FILE, contexts.get(path, base) + lines)
        self._contexts = contexts
        shown = "the whole file" if contexts[path] == WHOLE_FILE else f"{contexts[path]} lines of context"
        self.notify(f"{visible(path)}: {shown}", timeout=3, markup=False)
        self._reload_view()

    def action_more_context(self) -> None:
        self._context_for_current(MORE_CONTEXT)

    def action_whole_file(self) -> None:
        self._context_for_current(WHOLE_FILE)

    def _reload_view(self) -> None:
        """Load the view the toggles now ask for. Each request has a number; a result that arrives after
        a newer request (reloads are threads: ``W`` ``W`` can finish out of order) is dropped."""
        self._view_generation += 1
        since = self._previous if self._since_last else None
        request = ViewRequest(self._view_generation, self._ignore_ws, dict(self._contexts or {}), since)
        self._load_view(request)

    @work(thread=True, exclusive=True, group="view")
    def _load_view(self, request: ViewRequest) -> None:
        st = self.state
        opts = replace(st.diff_options or DiffOptions(), ignore_whitespace=request.ignore_ws)
        try:
            if request.since is not None:
                diff = load_interdiff(st.git, st.target, request.since, opts)
                target = request.since.interdiff_target()
            else:
                target = st.target
                base = st.full_diff if not request.ignore_ws else load_diff(st.git, target, opts)
                if base is None:
                    return
                diff = Diff(base.target, list(base.files), base.patch_sha256)
            for path, lines in request.contexts.items():
                wide = load_diff(st.git, target, replace(opts, context=lines, paths=(path,)))
                by_path = {f.path: f for f in wide.files}
                diff.files = [by_path.get(f.path, f) for f in diff.files]
        except SignoffError as exc:
            self.app.call_from_thread(self.notify, visible(exc.message), timeout=4, markup=False)
            return
        self.post_message(ViewLoaded(diff, request.generation))

    def _show_view(self, diff: Diff) -> None:
        """Show ``diff`` now (the interdiff): a new request, so older reloads still running are dropped."""
        self._view_generation += 1
        self.post_message(ViewLoaded(diff, self._view_generation))

    def on_view_loaded(self, msg: ViewLoaded) -> None:
        if msg.generation != self._view_generation:
            return  # an older request finished after a newer one: its view is not the one asked for
        st = self.state
        dv = self.diffview
        keep = anchor_at(self.model, dv.cursor, int(dv.scroll_y)) if self.model is not None else None
        if st.record_diff is None:
            st.record_diff = st.diff
        st.diff = msg.diff
        self.model = RowModel(msg.diff)
        dv.set_model(self.model)
        self.filelist.set_files(msg.diff.files)
        self._collapse_viewed()
        if keep is not None:
            self.place_cursor(row_of(self.model, keep), keep.offset)
        self._update_status()
        self._update_header()
        self._show_current_question()

    def place_cursor(self, row: int, offset: int) -> None:
        """The cursor on ``row``, ``offset`` rows below the top of the view (as it was), always on screen;
        checked again once the new rows are laid out."""
        dv = self.diffview
        height = dv.scrollable_content_region.height or 1
        dv.cursor = row
        dv.scroll_to(y=max(0, row - max(0, min(offset, height - 1))), animate=False, immediate=True)
        dv.call_after_refresh(self._cursor_on_screen)

    def _cursor_on_screen(self) -> None:
        dv = self.diffview
        if dv.cursor not in dv.visible_rows():
            dv.goto_row(dv.cursor)

    # -- viewed files ----------------------------------------------------------------------------------

    def _collapse_viewed(self) -> None:
        """Files marked reviewed show as their header only (after a resume too); one layout pass."""
        diff = self.state.diff
        if diff is None or self.model is None:
            return
        viewed = {fi for fi, f in enumerate(diff.files) if self.state.is_reviewed(f.path)}
        if self.model.collapse_only(viewed):
            self.diffview._relayout()

    def after_mark(self, fi: int, now: bool) -> None:
        """File ``fi`` was marked reviewed (or not): collapse (expand) it; hidden files leave the list."""
        self.diffview.set_collapsed(fi, now)
        if self._hide_viewed:
            self.filelist.rebuild()

    def action_hide_viewed(self) -> None:
        self._hide_viewed = not self._hide_viewed
        self.filelist.hide_reviewed = self._hide_viewed
        self.filelist.rebuild()
        self._update_status()

    # -- finding and opening files ---------------------------------------------------------------------

    def action_jump_file(self) -> None:
        diff = self.state.diff
        if diff is None or not diff.files:
            self.notify("The diff is still loading." if diff is None else "The diff is empty.", timeout=2)
            return

        def go(fi: int) -> Any:
            return lambda: (self.diffview.goto_file(fi), self.diffview.focus())

        commands = [SimpleCommand(visible(f.path), go(i), None) for i, f in enumerate(diff.files)]
        self.app.search_commands(commands, placeholder="Go to file…")

    def action_open_editor(self) -> None:
        diff = self.state.diff
        loc = self.diffview.location()
        if diff is None or loc is None:
            return
        argv = editor_command()
        if argv is None:
            self.notify(
                "Set $VISUAL or $EDITOR to open files (the repository's editor is never used).", timeout=4
            )
            return
        fi, side, line = loc
        f = diff.files[fi]
        path = (f.old_path if side == "old" else f.new_path) or f.path
        blob = f.old_blob if side == "old" else f.new_blob
        try:
            target = file_to_open(self.state.git, path, blob)
            code = open_in_editor(self.app, argv, target, line or 1)
        except (OSError, SignoffError) as exc:
            self.notify(visible(f"could not open the editor: {exc}"), severity="error", markup=False)
            return
        if code:
            self.notify(f"the editor exited with status {code}", timeout=3)
