"""The summary screen: answers, what is still open, the verdict, and sign-and-save."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, RadioButton, RadioSet, Select, Static, TextArea

from signoff.app.actions import bindings
from signoff.app.finish import FinishError, Outcome, sign_and_save
from signoff.app.safe import safe_text
from signoff.app.screens.confirm import ConfirmScreen, open_items_text
from signoff.app.state import ReviewState
from signoff.app.widgets.checklist import ANSWER_MARK, SEVERITY_SHORT, SEVERITY_STYLE
from signoff.app.widgets.diffpaint import AI_COLOUR
from signoff.findings.placement import Findings
from signoff.review.session import LEVELS, ReviewSession, Verdict

LEVEL_OPTIONS = [(v, v) for v in LEVELS]
#: (verdict, label): "Approve", "Changes requested", "Reject".
VERDICT_OPTIONS = [(v, v.value.replace("-", " ").capitalize()) for v in Verdict]


class SummaryScreen(Screen):
    """Finish the review."""

    BINDINGS = bindings("summary")

    def __init__(self, state: ReviewState) -> None:
        super().__init__(id="summary")
        self.state = state
        self.signing = False

    @property
    def session(self) -> ReviewSession:
        return self.state.session

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary-box"):
            yield Static(self._overview(), id="summary-overview")
            yield Static(Text("Verdict", style="bold"), classes="summary-label")
            with RadioSet(id="verdict"):
                for v, label in VERDICT_OPTIONS:
                    yield RadioButton(label, value=self.session.verdict == v, id=f"verdict-{v.value}")
            with Horizontal(id="summary-depth"):
                yield Static(Text("Thoroughness ", style="bold"), classes="summary-inline")
                yield Select(
                    LEVEL_OPTIONS, value=self.session.thoroughness, allow_blank=False, id="thoroughness"
                )
                yield Static(Text("  Understanding ", style="bold"), classes="summary-inline")
                yield Select(
                    LEVEL_OPTIONS, value=self.session.understanding, allow_blank=False, id="understanding"
                )
            yield Static(
                Text("Summary (what you checked, what must change)", style="bold"), classes="summary-label"
            )
            yield TextArea(self.session.summary, id="summary-text", soft_wrap=True)
            with Horizontal(id="summary-buttons"):
                yield Button("Sign and save", variant="primary", id="sign")
                yield Button("Back", id="back")
            yield Static(id="summary-result")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()
        if self.state.signed:
            self._signed_already()

    def _signed_already(self) -> None:
        self._read_only()
        t = Text("✓ This review is signed and saved (read-only now): ", style="bold green")
        t.append_text(safe_text(str(self.state.record_path)))
        t.append("\nPress q to quit, esc to look at the review.", style="dim")
        self._result(t)

    def _read_only(self) -> None:
        """After signing nothing here takes input: the fields are locked, keys go to the app."""
        self.query_one("#sign", Button).disabled = True
        box = self.query_one("#summary-text", TextArea)
        box.read_only = True
        for widget in (box, self.query_one(RadioSet), *self.query(Select)):
            widget.disabled = True
        self.query_one("#back", Button).focus()

    def _overview(self) -> Text:
        r = self.state
        t = Text()
        t.append("Review of ", style="bold")
        t.append_text(safe_text(r.target.spec or r.target.kind, style="bold"))
        t.append("\n")
        ids = r.triggered_ids()
        answered = self.session.answered(ids)
        t.append(
            f"{answered}/{len(ids)} triggered questions answered",
            style="green" if answered == len(ids) else "",
        )
        files = r.full_diff.files if r.full_diff else []
        done = sum(1 for f in files if r.is_reviewed(f.path))
        t.append(f" · {done}/{len(files)} files marked reviewed\n\n")
        for q in r.questions:
            st = self.session.questions.get(q.id)
            if not q.triggered and not (st and st.answer):
                continue
            mark, style = ANSWER_MARK[st.answer if st else None]
            t.append(f" {mark} ", style=style)
            short = SEVERITY_SHORT.get(q.severity, q.severity[:4].upper().ljust(4))
            t.append(f"{short} ", style=SEVERITY_STYLE.get(q.severity, ""))
            t.append_text(safe_text(q.text))
            if st and st.note:
                t.append("\n      ")
                t.append_text(safe_text(st.note.splitlines()[0][:100], style="italic dim"))
            t.append("\n")
        pending = r.pending_stages()
        if pending:
            t.append(f"\n⚠ The analysis did not complete ({', '.join(pending)}): ", style="bold red")
            t.append("the record will say so, and the gate refuses such a record.\n", style="red")
        if r.session.comments:
            t.append(f"\n{len(r.session.comments)} line comment(s) go into the record.\n")
        if r.session.previous:
            t.append_text(
                safe_text(f"\nSince the review {r.session.previous.get('record', '')}", style="dim")
            )
            t.append(f": {len(r.session.carried)} answer(s) carried forward.\n", style="dim")
        unanswered = [q for q in r.questions if q.triggered and self.session.answer_of(q.id) is None]
        if unanswered:
            t.append(f"\n⚠ {len(unanswered)} triggered question(s) unanswered", style="bold yellow")
            t.append(" — they will be recorded as skipped.\n", style="yellow")
        t.append_text(findings_line(r.findings, self.session.findings))
        unseen = self.session.unseen_ai(r.ai.line_sets())
        if unseen:
            total = sum(unseen.values())
            t.append(f"\n⚠ {total} AI-attributed line(s) not yet looked at:\n", style=f"bold {AI_COLOUR}")
            for path, n in sorted(unseen.items())[:20]:
                t.append("   ")
                t.append_text(safe_text(path))
                t.append(f"  {n}\n")
        elif r.ai.total:
            t.append(f"\n✓ all {r.ai.total} AI-attributed lines looked at\n", style=AI_COLOUR)
        return t

    def _collect(self) -> None:
        if not self.query("#understanding") or self.state.signed:
            return  # still composing, or signed (read-only)
        rs = self.query_one(RadioSet)
        verdict = None
        if rs.pressed_button is not None and rs.pressed_button.id:
            verdict = rs.pressed_button.id.removeprefix("verdict-")
        self.session.set_verdict(
            verdict,
            self.query_one("#summary-text", TextArea).text.strip(),
            thoroughness=str(self.query_one("#thoroughness", Select).value),
            understanding=str(self.query_one("#understanding", Select).value),
        )

    @on(RadioSet.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed, "#summary-text")
    def _verdict_changed(self, _event: RadioSet.Changed | Select.Changed | TextArea.Changed) -> None:
        self._collect()  # every change is autosaved with the draft, the summary text as it is typed

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self._collect()
        self.app.pop_screen()

    @on(Button.Pressed, "#sign")
    def action_sign(self) -> None:
        if self.state.signed:
            self._signed_already()
            return
        self._collect()
        if self.session.verdict is None:
            self._result(Text("Choose a verdict first.", style="bold yellow"))
            return
        if self.signing:
            return
        if self._ask_first():
            return
        self.signing = True
        self._result(Text("Signing…", style="bold"))
        self.sign()

    def _ask_first(self) -> bool:
        """Approving with open items asks first, listing them (the record lists them too)."""
        st = self.state
        items = st.open_items()
        if self.session.verdict != Verdict.APPROVE or st.confirmed_open or not any(items.values()):
            return False

        def answered(yes: bool | None) -> None:
            if yes:
                st.confirmed_open = True
                self.action_sign()
            else:
                self._result(Text("Not signed: the open items are listed above.", style="yellow"))

        self.app.push_screen(
            ConfirmScreen(
                "Approve with open items?",
                open_items_text(items),
                question="Sign the approval anyway (the record lists these)?",
                id="confirm-open",
            ),
            answered,
        )
        return True

    def _result(self, text: Text) -> None:
        box = self.query_one("#summary-result", Static)
        box.update(text)
        self.call_after_refresh(box.scroll_visible, animate=False)

    @work(thread=True, exclusive=True, group="sign")
    def sign(self) -> None:
        try:
            outcome = sign_and_save(self.app, self.state)
        except FinishError as exc:
            self.app.call_from_thread(self._failed, exc.message, exc.hint)
            return
        except Exception as exc:  # keep the draft; show what happened
            self.app.call_from_thread(self._failed, str(exc), "")
            return
        self.app.call_from_thread(self._saved, outcome)

    def _failed(self, message: str, hint: str) -> None:
        self.signing = False
        t = Text()
        t.append("✗ Not signed: ", style="bold red")
        t.append_text(safe_text(message, keep_newlines=True))
        if hint:
            t.append("\n")
            t.append_text(safe_text(hint, keep_newlines=True))
        t.append("\nYour answers stay in the draft: fix the above and press Sign again.", style="dim")
        self._result(t)

    def _saved(self, outcome: Outcome) -> None:
        self.signing = False
        self.state.record_path = outcome.path
        self._read_only()
        t = Text()
        t.append("✓ Review saved: ", style="bold green")
        t.append_text(safe_text(str(outcome.path)))
        t.append("\nVerification: ")
        t.append_text(safe_text(outcome.status, style="bold green" if outcome.valid else "bold red"))
        if outcome.valid and outcome.signer:
            t.append(" — signed by ")
            t.append_text(safe_text(outcome.signer, style="bold"))
        elif outcome.reason:
            t.append(" — ")
            t.append_text(safe_text(outcome.reason))
        if outcome.hint:
            t.append("\n")
            t.append_text(safe_text(outcome.hint, style="yellow"))
        t.append("\nThe review is read-only now. ", style="bold")
        t.append("Commit the record to share it (git add .signoff). Press q to quit.", style="dim")
        self._result(t)


def findings_line(findings: Findings | None, judged: dict[str, dict[str, str]]) -> Text:
    """How many scanner findings on the change are still untriaged (they are signed in as such)."""
    t = Text()
    items = findings.items if findings is not None else []
    if not items:
        return t
    open_ = sum(1 for f in items if judged.get(f.id, {}).get("triage", "untriaged") == "untriaged")
    if open_:
        t.append(f"\n⚠ {open_} of {len(items)} scanner finding(s) untriaged", style="bold yellow")
        t.append(" (T in the review) — recorded as untriaged; audit lists them.\n", style="yellow")
    else:
        t.append(f"\n✓ all {len(items)} scanner findings triaged\n", style="green")
    return t
