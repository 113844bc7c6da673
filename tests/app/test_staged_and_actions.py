"""Big diffs load in stages (diff, questions, AI marks, with progress); ``review --no-ai``; one action
table drives the key bindings, the command palette and the help screen (issues 15 and 10)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.binding import Binding

from signoff.app import messages as m
from tests.app.tui_helpers import keys_repo, make_app, ready, screen_text


def test_diff_then_questions_then_ai_marks_with_progress(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)
    order: list[str] = []
    progress: list[str] = []

    seen: list[object] = []

    def hook(msg) -> None:
        if any(msg is s for s in seen):  # a message is reported at each node it bubbles through
            return
        seen.append(msg)
        if isinstance(msg, m.DiffLoaded):
            order.append("diff")
        elif isinstance(msg, m.QuestionsLoaded):
            order.append("questions+ai" if msg.with_ai else "questions")
        elif isinstance(msg, m.AiLoaded):
            order.append("ai")
        elif isinstance(msg, m.Progress):
            progress.append(msg.label)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
            screen = await ready(app, pilot)
            assert screen.ai.lines.get("lib/helper.py")
            # the AI-code questions see the AI lines once they are known
            assert any(h.trigger == "ai" for q in screen.questions for h in q.hits)

    asyncio.run(run())
    assert order[:3] == ["diff", "questions", "ai"], order
    assert order[-1] == "questions+ai"
    assert len(progress) >= 3 and progress[-1] == "Ready"


def test_no_ai_review_skips_attribution(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)
    seen: list[type] = []

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts", ai=False)
        async with app.run_test(size=(120, 36), message_hook=lambda msg: seen.append(type(msg))) as pilot:
            screen = await ready(app, pilot)
            assert screen.questions and not screen.ai.lines
            assert "AI off" in screen_text(app)

    asyncio.run(run())
    assert m.AiLoaded not in seen


def test_review_cli_accepts_no_ai(tmp_path: Path) -> None:
    from signoff.cli.main import build_parser

    args = build_parser().parse_args(["review", "--no-ai", "main..feature"])
    assert args.no_ai is True


def test_one_action_table_drives_bindings_palette_and_help(tmp_path: Path) -> None:
    from signoff.app.actions import ACTIONS, bindings
    from signoff.app.screens.review import ReviewScreen
    from signoff.app.widgets.diffview import DiffView

    ids = [a.id for a in ACTIONS]
    assert len(ids) == len(set(ids))
    # the screens' bindings are generated from the table, nothing else
    for cls, scope in ((ReviewScreen, "review"), (DiffView, "diff")):
        got = {(b.key, b.action) for b in cls.BINDINGS if isinstance(b, Binding)}
        assert got == {(b.key, b.action) for b in bindings(scope)}
    repo = keys_repo(tmp_path, extra_files=0)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 140)) as pilot:
            await ready(app, pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            help_text = screen_text(app)
            for a in ACTIONS:
                if a.scope in ("review", "diff", "app"):
                    assert a.title in help_text, a.title
            await pilot.press("escape")
            from signoff.app.palette import ReviewCommands

            provider = ReviewCommands(app.screen)
            titles = [hit.text async for hit in provider.discover()]
            assert {a.title for a in ACTIONS if a.palette} == set(map(str, titles))

    asyncio.run(run())


def test_ctrl_q_outside_an_editor_still_quits(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path, extra_files=0)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(app, pilot)
            await pilot.press("ctrl+q")
            await pilot.pause()
        assert not app.is_running

    asyncio.run(run())
