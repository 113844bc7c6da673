"""End to end with Pilot: open a real repo, move through files, answer every triggered question, finish."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from signoff.app.app import SignoffApp
from signoff.app.screens.review import ReviewScreen
from signoff.app.widgets.diffview import DiffView
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.review.session import AnswerValue
from tests.app.tui_helpers import settle
from tests.helpers import git


class _AnyReason(str):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)

    __hash__ = str.__hash__


ANY_REASON = _AnyReason("any")


def _app(repo: Path, drafts: Path) -> SignoffApp:
    git = open_repo(repo)
    return SignoffApp(git, resolve_target(git, "main..feature"), draft_dir=drafts)


async def _ready(app: SignoffApp, pilot) -> ReviewScreen:
    await settle(app)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    assert screen.loaded and screen.diff is not None
    return screen


def test_walk_through_answer_everything_and_resume(review_repo: Path, tmp_path: Path) -> None:
    asyncio.run(_walk(review_repo, tmp_path / "drafts"))


async def _walk(repo: Path, drafts: Path) -> None:
    app = _app(repo, drafts)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        dv = screen.query_one(DiffView)
        files = [f.path for f in screen.diff.files]
        assert dv.current_file() == 0
        # AI attribution from the real provenance: the helper commit has a Claude trailer
        assert screen.ai.lines.get("lib/helper.py") == {1: ANY_REASON, 2: ANY_REASON}
        assert "Claude" in screen.ai.lines["lib/helper.py"][1]
        # move through every file with } and mark each reviewed
        seen = []
        for _ in files:
            seen.append(files[dv.current_file()])
            await pilot.press("right_curly_bracket")
        assert sorted(seen) == sorted(files)
        await pilot.press("g", "r")
        assert files[0] in app.session.reviewed_files
        assert dv.current_file() == 1  # marking moves on to the next unreviewed file
        # hunks and line movement
        before = dv.cursor
        await pilot.press("right_square_bracket", "j", "j")
        assert dv.cursor > before
        # answer every triggered question, jumping to its hits first
        triggered = screen.triggered_ids()
        assert triggered
        for i, qid in enumerate(triggered):
            assert screen.checklist.current == qid
            q = screen.current_question()
            if q.hits:
                await pilot.press("full_stop")
                loc = dv.location()
                assert loc is not None and screen.diff.files[loc[0]].path == q.hits[0].path
                assert loc[2] == q.hits[0].line
                await pilot.press("m")  # attach the hit line as evidence
                ev = app.session.questions[qid].evidence[0]
                assert (ev.path, ev.start) == (q.hits[0].path, q.hits[0].line) and ev.blob
            await pilot.press("p" if i % 2 == 0 else "f")
        answers = {q: app.session.answer_of(q) for q in triggered}
        # the AI reason on demand; AI lines count as looked at once the cursor moved through them
        fi = screen.model.file_index("lib/helper.py")
        dv.goto_file(fi)
        await pilot.press("j", "j", "j", "i")
        await pilot.pause(0.7)
        assert "Claude" in screen.detail.text()
        assert app.session.seen_ai.get("lib/helper.py") == {1, 2}
        assert None not in answers.values()
        assert answers[triggered[0]] is AnswerValue.PASS
        # a note through the modal editor
        await pilot.press("K")
        noted = screen.checklist.current
        assert noted == triggered[-2 % len(triggered)]
        await pilot.press("e", *"needs a fix", "ctrl+s")
        assert app.session.questions[noted].note == "needs a fix"
        # search
        await pilot.press("slash", *"os.system", "enter")
        assert "os.system" in dv.model.lines_at(dv.cursor)[1].text
        # side by side keeps the cursor on the same line
        await pilot.press("s")
        assert dv.side_by_side and "os.system" in dv.model.lines_at(dv.cursor)[1].text
        await pilot.press("q")
    # reopen: the draft resumes
    app2 = _app(repo, drafts)
    async with app2.run_test(size=(120, 36)) as pilot:
        await _ready(app2, pilot)
        assert {q: app2.session.answer_of(q) for q in triggered} == answers
        assert files[0] in app2.session.reviewed_files
        assert app2.session.questions[noted].note == "needs a fix"


def test_summary_warns_and_needs_a_verdict(review_repo: Path, tmp_path: Path) -> None:
    asyncio.run(_summary(review_repo, tmp_path / "drafts"))


async def _summary(repo: Path, drafts: Path) -> None:
    app = _app(repo, drafts)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await _ready(app, pilot)
        await pilot.press("p")  # one answer only
        await pilot.press("S")
        await pilot.pause()
        overview = str(app.screen.query_one("#summary-overview").render())
        n_unanswered = len(screen.triggered_ids()) - 1
        assert f"{n_unanswered} triggered question(s) unanswered" in overview
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Choose a verdict first" in str(app.screen.query_one("#summary-result").render())
        app.screen.query_one("#verdict").focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.session.verdict is not None and app.session.verdict.value == "changes-requested"


# -- signing ---------------------------------------------------------------------------------------------

EMAIL = "reviewer@example.com"


def _configure_signing(repo: Path, key) -> None:

    git(repo, "config", "--global", "user.email", EMAIL)
    git(repo, "config", "--global", "user.name", "Rita Reviewer")
    git(repo, "config", "--global", "gpg.format", "ssh")
    git(repo, "config", "--global", "user.signingKey", str(key.path))
    allowed = repo / ".signoff" / "allowed_signers"
    allowed.parent.mkdir(parents=True, exist_ok=True)
    allowed.write_text(f'{EMAIL} namespaces="signoff-review" {key.pub}\n')
    # The audit behind the history screen takes trust from the target's tip, not the checkout: the
    # target (signoff.target in the reviewer's global config) is main plus a commit trusting the key,
    # made without moving main or the checked-out branch (the reviewed ranges stay as they are).
    blob = git(repo, "hash-object", "-w", str(allowed)).strip()
    index = {"GIT_INDEX_FILE": str(repo / ".git" / "trust-index")}
    git(repo, "read-tree", "main", env=index)
    git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},.signoff/allowed_signers", env=index)
    tree = git(repo, "write-tree", env=index).strip()
    commit = git(repo, "commit-tree", tree, "-p", "main", "-m", "trust the reviewer").strip()
    git(repo, "update-ref", "refs/heads/trusted-main", commit)
    git(repo, "config", "--global", "signoff.target", "trusted-main")


async def _answer_all(app: SignoffApp, pilot, screen: ReviewScreen) -> dict[str, AnswerValue]:
    triggered = screen.triggered_ids()
    assert len(triggered) >= 3  # the real relevance engine: SQL, shell, bidi... all fire on this diff
    for i in range(len(triggered)):
        await pilot.press("p" if i % 3 else "a")
    answers = {q: app.session.answer_of(q) for q in triggered}
    assert None not in answers.values()
    return answers


async def _sign(app: SignoffApp, pilot, summary: str) -> str:
    await pilot.press("S")
    await pilot.pause()
    app.screen.query_one("#verdict").focus()
    await pilot.press("enter")  # the first radio button: approve
    app.screen.query_one("#summary-text").focus()
    await pilot.press(*summary)
    await pilot.press("ctrl+s")
    await pilot.pause()
    if app.screen.id == "confirm-open":  # approving with open items asks first (issue 12)
        await pilot.press("y")
    await settle(app)
    await pilot.pause()
    return str(app.screen.query_one("#summary-result").render())


def test_full_review_signed_with_ssh_key_and_verified(review_repo: Path, tmp_path: Path, ssh_keys) -> None:
    from signoff.cli.main import main
    from signoff.records.codec import loads, read_text
    from signoff.records.store import list_records
    from signoff.signing.verify import Verifier

    key = ssh_keys["ed25519-tui"]
    _configure_signing(review_repo, key)
    drafts = tmp_path / "drafts"

    async def run() -> tuple[str, dict[str, AnswerValue], list[str]]:
        app = _app(review_repo, drafts)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await _ready(app, pilot)
            # relevance.evaluate got the diff and the AI lines: the SQL question has its f-string hit
            sql = next(
                q for q in screen.questions if q.triggered and "db/query.py" in {h.path for h in q.hits}
            )
            assert any(h.line == 2 and h.side == "new" for h in sql.hits)
            assert screen.relevance is not None and screen.relevance.triggered_ids() == screen.triggered_ids()
            files = [f.path for f in screen.diff.files]
            for _ in files:
                await pilot.press("r")
            assert app.session.reviewed_files == set(files)
            answers = await _answer_all(app, pilot, screen)
            app.session.set_note(screen.triggered_ids()[0], "checked by hand")
            # look at the AI lines: the cursor moves through them with the diff focused (cursor/1)
            assert screen.diffview.goto_line("lib/helper.py", 1, "new")  # opens the collapsed file
            screen.diffview.focus()
            await pilot.press("j")
            result = await _sign(app, pilot, "Looks right")
            assert app.record_path is not None
            # the history screen lists it (audit data: validity, and what the audit says)
            await pilot.press("escape", "H")
            await settle(app)
            await pilot.pause()
            table = app.screen.query_one("#history-table")
            row = [str(c) for c in table.get_row_at(0)]
            assert table.row_count == 1 and "approve" in row and "valid" in row and EMAIL in row
            assert "no valid covering approval" in str(app.screen.query_one("#history-status").render())
            assert not (drafts / "signoff" / "drafts").exists() or not any(
                (drafts / "signoff" / "drafts").iterdir()
            )
            return result, answers, files

    result, answers, files = asyncio.run(run())
    assert "Review saved" in result and "Verification: valid" in result and EMAIL in result
    records = list_records(review_repo)
    assert len(records) == 1 and records[0].is_relative_to(review_repo / ".signoff" / "reviews")
    v = Verifier.for_repo(open_repo(review_repo)).verify_path(records[0])
    assert v.ok and v.signer == EMAIL, v.reason
    record = loads(read_text(records[0]), str(records[0]))
    assert record.review.verdict == "approve" and record.review.summary == "Looks right"
    assert sorted(record.review.files_reviewed) == sorted(files)
    got = {a.id: a.answer for a in record.answers}
    assert {q: got[q] for q in answers} == {q: a.value for q, a in answers.items()}
    assert any(a.note == "checked by hand" for a in record.answers)
    assert record.ai.lines == 2 and record.ai.lines_reviewed == 2  # the cursor moved through both
    assert record.ai.seen_definition == "cursor/1" and record.analysis.complete
    assert not record.analysis.confirmed  # nothing was left open: no question asked
    assert record.checklists  # the relevance engine's checklists are pinned in the record
    # plain OpenSSH agrees (the payload as `signoff verify --payload` prints it)
    payload = subprocess.run(
        ["python3", "-m", "signoff", "verify", "--payload", str(records[0])],
        capture_output=True,
        check=True,
        cwd=review_repo,
    ).stdout
    sig = tmp_path / "record.sig"
    sig.write_text(record.signature.value)
    args = ["ssh-keygen", "-Y", "verify", "-f", str(review_repo / ".signoff" / "allowed_signers")]
    args += ["-I", EMAIL, "-n", "signoff-review", "-s", str(sig)]
    ok = subprocess.run(args, input=payload, capture_output=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert subprocess.run(args, input=payload + b"x", capture_output=True, check=False).returncode != 0
    assert main(["-C", str(review_repo), "verify"]) == 0


def test_signing_failure_shows_what_to_configure_and_keeps_the_draft(
    review_repo: Path, tmp_path: Path
) -> None:
    from signoff.records.store import list_records, load_draft

    drafts = tmp_path / "drafts"
    key = resolve_target(open_repo(review_repo), "main..feature").key

    async def run() -> tuple[str, dict[str, AnswerValue]]:
        app = _app(review_repo, drafts)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await _ready(app, pilot)
            answers = await _answer_all(app, pilot, screen)
            result = await _sign(app, pilot, "ok")
            assert app.record_path is None
            return result, answers

    result, answers = asyncio.run(run())
    assert "Not signed" in result and "user.signingKey" in result and "git config" in result
    assert "draft" in result
    assert list_records(review_repo) == []
    draft = load_draft(drafts, key)
    assert draft is not None and draft["verdict"] == "approve" and "record" in draft

    async def resume() -> None:
        app = _app(review_repo, drafts)
        async with app.run_test(size=(100, 40)) as pilot:
            await _ready(app, pilot)
            assert app.resumed and app.session.verdict.value == "approve"
            assert {q: app.session.answer_of(q) for q in answers} == answers

    asyncio.run(resume())


def test_signer_gets_the_terminal_only_when_the_key_may_prompt(tmp_path: Path, ssh_keys) -> None:
    from signoff.app.finish import in_terminal, ssh_key_encrypted

    plain = ssh_keys["ed25519"]
    locked = tmp_path / "locked"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "pass phrase", "-f", str(locked)],
        check=True,
        capture_output=True,
    )
    assert not ssh_key_encrypted(plain.path) and not ssh_key_encrypted(plain.pub_path)
    assert ssh_key_encrypted(locked)

    class Headless:
        is_headless = True

        def suspend(self):  # pragma: no cover - must not be called
            raise AssertionError("suspended a headless app")

    assert in_terminal(Headless(), lambda: 42, "signing") == 42


def test_history_falls_back_to_verification_when_the_audit_cannot_run(review_repo: Path) -> None:
    from signoff.app.finish import list_reviews

    git(review_repo, "branch", "-m", "main", "trunk")  # no target: the audit cannot tell what to trust
    reviews = review_repo / ".signoff" / "reviews" / "2026" / "01"
    reviews.mkdir(parents=True)
    (reviews / "x.toml").write_text("not a record = [\n")
    found = list_reviews(open_repo(review_repo))
    assert not found.audited and "audit not available" in found.notes[0]
    assert [r["validity"] for r in found.rows] == ["malformed"] and found.rows[0]["path"].endswith("x.toml")
