"""The Textual application: owns the git handle, the target and the review session (draft autosave)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from signoff.app.commands import ReviewCommands
from signoff.app.screens.review import ReviewScreen
from signoff.diff.model import DiffOptions
from signoff.errors import SignoffError
from signoff.git.runner import Git
from signoff.git.target import ReviewTarget
from signoff.review.session import ReviewSession, load_draft, save_draft
from signoff.util.sanitize import visible


class SignoffApp(App[int]):
    """``signoff review``: the diff, the AI marks and the checklist walk-through."""

    CSS_PATH = "signoff.tcss"
    TITLE = "signoff"
    COMMANDS = App.COMMANDS | {ReviewCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("H", "history", "History", show=False, id="app.history"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

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
    ) -> None:
        super().__init__()
        self.git = git
        self.target = target
        self.diff_options = diff_options
        #: Opt-in checklists to ask as well (``signoff review --checklist NAME``).
        self.opt_in = opt_in
        #: ``--key`` / ``--format``: override git's user.signingKey / gpg.format when signing.
        self.sign_key = sign_key
        self.sign_format = sign_format
        self.draft_dir = draft_dir or git.common_dir
        loaded = load_draft(self.draft_dir, target.key)
        self.resumed = loaded is not None
        self.session = loaded or ReviewSession(target_key=target.key)
        self.session.on_change = lambda _s: self.save_draft()
        self.record_path: Path | None = None

    def save_draft(self) -> None:
        if self.record_path is not None:
            return  # signed and saved: the draft is gone for good
        try:
            save_draft(self.draft_dir, self.session)
        except (OSError, SignoffError) as exc:
            self.notify(visible(f"could not save the draft: {exc}"), severity="error", markup=False)

    def on_mount(self) -> None:
        self.push_screen(ReviewScreen())
        if self.resumed:
            n = sum(1 for s in self.session.questions.values() if s.answer)
            self.notify(
                f"Resumed your draft ({n} answers, {len(self.session.reviewed_files)} files reviewed)."
            )

    def action_help(self) -> None:
        from signoff.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_history(self) -> None:
        from signoff.app.screens.history import HistoryScreen

        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen())
