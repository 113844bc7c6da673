"""The Textual application: holds the review state (target, session, analysis) and autosaves the draft."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from textual.timer import Timer

from signoff.app.actions import bindings
from signoff.app.keyorder import OrderedKeys
from signoff.app.loader import Preload
from signoff.app.palette import ReviewCommands
from signoff.app.screens.help import HelpScreen
from signoff.app.screens.history import HistoryScreen
from signoff.app.screens.review import ReviewScreen
from signoff.app.state import ReviewState
from signoff.diff.model import DiffOptions
from signoff.errors import SignoffError
from signoff.git.runner import Git
from signoff.git.target import ReviewTarget
from signoff.records import store
from signoff.review.session import ReviewSession, load_draft
from signoff.util.sanitize import visible

#: Seconds between a change and its draft write (several keys in a row make one write).
DRAFT_DELAY = 0.25


class SignoffApp(OrderedKeys):
    """``signoff review``: the diff, the AI marks and the checklist walk-through."""

    CSS_PATH = "signoff.tcss"
    TITLE = "signoff"
    COMMANDS = OrderedKeys.COMMANDS | {ReviewCommands}
    BINDINGS = bindings("app")

    def __init__(
        self,
        git: Git,
        target: ReviewTarget,
        *,
        diff_options: DiffOptions | None = None,
        draft_dir: Path | None = None,
        opt_in: tuple[str, ...] = (),
        sign_key: str | None = None,
        sign_format: str | None = None,
        sign_email: str | None = None,
        ai: bool = True,
        sarif: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        draft_dir = draft_dir or git.common_dir
        loaded = load_draft(draft_dir, target.key)
        self.resumed = loaded is not None
        session = loaded or ReviewSession(target_key=target.key)
        self.state = ReviewState(
            git,
            target,
            session,
            draft_dir,
            diff_options=diff_options,
            opt_in=opt_in,
            sign_key=sign_key,
            sign_format=sign_format,
            sign_email=sign_email,
            ai_enabled=ai,
            sarif=sarif,
        )
        session.on_change = lambda _s: self.save_draft()
        self._draft_timer: Timer | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="signoff-draft")
        self._writer_open = True

    # the state's parts under their familiar names
    @property
    def git(self) -> Git:
        return self.state.git

    @property
    def target(self) -> ReviewTarget:
        return self.state.target

    @property
    def session(self) -> ReviewSession:
        return self.state.session

    @property
    def draft_dir(self) -> Path:
        return self.state.draft_dir

    @property
    def record_path(self) -> Path | None:
        return self.state.record_path

    @record_path.setter
    def record_path(self, value: Path | None) -> None:
        self.state.record_path = value

    # -- the draft -------------------------------------------------------------------------------------

    def save_draft(self) -> None:
        """Schedule a draft write (coalesced; written in order on a writer thread)."""
        if self.state.signed:
            return  # signed and saved: the draft is gone for good
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(DRAFT_DELAY, self.flush_draft)

    def flush_draft(self) -> None:
        self._draft_timer = None
        if self.state.signed:
            return
        data = self.session.to_dict()
        if self._writer_open:
            self._writer.submit(self._write, data)
        else:  # quitting: write here and now
            self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        state = self.state
        with state.draft_lock:
            if state.draft_closed:
                return
            try:
                store.save_draft(state.draft_dir, state.session.target_key, {**data, **state.draft_extra})
            except (OSError, SignoffError) as exc:
                message = visible(f"could not save the draft: {exc}")
                if self._writer_open:
                    self.call_from_thread(self.notify, message, severity="error", markup=False)

    def finish_drafts(self) -> None:
        """Write a pending draft now and wait for the writer (on quit)."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self.flush_draft()
        self._writer_open = False
        self._writer.shutdown(wait=True)

    async def on_unmount(self) -> None:
        self.finish_drafts()

    # -- app actions -----------------------------------------------------------------------------------

    def on_load(self) -> None:
        """Start the analysis now, before the terminal and the screen are set up (git runs meanwhile)."""
        self.state.preload = Preload(self.state)

    def on_mount(self) -> None:
        self.push_screen(ReviewScreen(self.state))
        if self.resumed:
            n = sum(1 for s in self.session.questions.values() if s.answer)
            self.notify(
                f"Resumed your draft ({n} answers, {len(self.session.reviewed_files)} files reviewed)."
            )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_history(self) -> None:
        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(self.state.git))

    def action_ctrl_q(self) -> None:
        """ctrl+q: in an editor it cancels the editor (never losing text); elsewhere it quits."""
        cancel = getattr(self.screen, "action_cancel", None)
        if cancel is not None:
            cancel()
        else:
            self.exit()
