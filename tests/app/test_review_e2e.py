"""End to end with Pilot: open a real repo, move through files, answer every triggered question, finish."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest

from signoff.app import analysis
from signoff.app.analysis import HitView, QuestionView
from signoff.app.app import SignoffApp
from signoff.app.screens.review import ReviewScreen
from signoff.app.widgets.diffview import DiffView
from signoff.gitio import open_repo, resolve_target
from signoff.session import AnswerValue


class _AnyReason(str):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)

    __hash__ = str.__hash__


ANY_REASON = _AnyReason("any")
HAVE_RELEVANCE = importlib.util.find_spec("signoff.relevance") is not None


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real relevance engine when it is installed; else two fixed questions with real hit lines."""
    if HAVE_RELEVANCE:
        return

    def fake(_git, _diff, _ai):
        return [
            QuestionView(
                "db.parameterized-queries",
                "Are SQL queries parameterised?",
                "critical",
                "Never build SQL with f-strings.",
                ["CWE-89"],
                [HitView("db/query.py", 2, "cur.execute(f'SELECT", "regex")],
            ),
            QuestionView(
                "code.command-injection",
                "Are shell commands built without user input?",
                "high",
                hits=[HitView("app.py", 8, 'os.system("rm -rf " + x)', "regex")],
            ),
            QuestionView("misc.docs", "Docs updated?", "low", triggered=False),
        ]

    monkeypatch.setattr("signoff.app.screens.review.load_questions", fake)


def _app(repo: Path, drafts: Path) -> SignoffApp:
    git = open_repo(repo)
    return SignoffApp(git, resolve_target(git, "main..feature"), draft_dir=drafts)


async def _ready(app: SignoffApp, pilot) -> ReviewScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    assert screen.loaded and screen.diff is not None
    return screen


def test_walk_through_answer_everything_and_resume(review_repo: Path, tmp_path: Path, questions) -> None:
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
        # the AI reason on demand, and AI lines count as looked at once on screen
        fi = screen.model.file_index("lib/helper.py")
        dv.goto_file(fi)
        await pilot.press("j", "j", "i")
        await pilot.pause(0.7)
        assert "Claude" in str(screen.detail.query_one("#detail-body").render())
        assert app.session.seen_ai.get("lib/helper.py") == {1, 2}
        assert None not in answers.values()
        assert answers[triggered[0]] is AnswerValue.PASS
        # a note through the modal editor
        await pilot.press("K")
        noted = screen.checklist.current
        assert noted == triggered[-2 % len(triggered)]
        await pilot.press("e", *"needs a fix", "escape")
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


def test_summary_warns_and_signing_failure_keeps_draft(review_repo: Path, tmp_path: Path, questions) -> None:
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
    assert analysis  # module used by the fixture
