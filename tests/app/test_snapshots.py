"""Snapshots of the main screens (pytest-textual-snapshot). Update with: pytest --snapshot-update."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.app.analysis import AiView, HitView, QuestionView
from signoff.app.app import SignoffApp
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from tests.app.tui_helpers import settle

QUESTIONS = [
    QuestionView(
        "db.parameterized-queries",
        "Are SQL queries parameterised, never built from strings?",
        "critical",
        "Look for f-strings, % or + building SQL.\n"
        "Bad: cur.execute(f'... {uid}')\nGood: cur.execute('... %s', (uid,))",
        ["A03:2021", "ASVS 5.3.4", "CWE-89"],
        [HitView("db/query.py", 2, "cur.execute(f'SELECT * FROM t WHERE id = {uid}')", "regex: execute(f")],
    ),
    QuestionView(
        "code.command-injection",
        "Are shell commands free of untrusted input?",
        "high",
        hits=[HitView("app.py", 8, 'os.system("rm -rf " + x)', "regex: os.system")],
    ),
    QuestionView(
        "code.trojan-source",
        "Are there no bidi or invisible characters?",
        "high",
        hits=[HitView("app.py", 9, "s = ...", "bidi")],
    ),
    QuestionView("docs.updated", "Is the documentation updated?", "low", triggered=False),
]


@pytest.fixture
def fixed_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("signoff.app.loader.question_views", lambda *_a: list(QUESTIONS))
    ai = AiView(
        lines={"app.py": {4: "commit 1a2b3c: Co-authored-by: Claude", 8: "Co-authored-by: Claude"}},
        commits=[("1a2b3c4d5e6f", "Co-authored-by: Claude <noreply@anthropic.com>")],
    )
    monkeypatch.setattr("signoff.app.loader.ai_view", lambda *_a: ai)


def _app(repo: Path, tmp: Path) -> SignoffApp:
    git = open_repo(repo)
    return SignoffApp(git, resolve_target(git, "main..feature"), draft_dir=tmp / "drafts")


async def _settle(pilot) -> None:
    await settle(pilot.app)
    await pilot.pause()
    await settle(pilot.app)
    await pilot.pause()


def test_main_screen(snap_compare, review_repo: Path, tmp_path: Path, fixed_analysis) -> None:
    async def before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("right_square_bracket", "j", "j", "j")

    assert snap_compare(_app(review_repo, tmp_path), terminal_size=(120, 36), run_before=before)


def test_side_by_side(snap_compare, review_repo: Path, tmp_path: Path, fixed_analysis) -> None:
    async def before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("s")
        await _settle(pilot)
        pilot.app.clear_notifications()

    assert snap_compare(_app(review_repo, tmp_path), terminal_size=(120, 36), run_before=before)


def test_small_terminal(snap_compare, review_repo: Path, tmp_path: Path, fixed_analysis) -> None:
    async def before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("full_stop")

    assert snap_compare(_app(review_repo, tmp_path), terminal_size=(80, 24), run_before=before)


def test_ai_reason_and_tree(snap_compare, review_repo: Path, tmp_path: Path, fixed_analysis) -> None:
    async def before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("t", "comma", "comma", "i")

    assert snap_compare(_app(review_repo, tmp_path), terminal_size=(120, 36), run_before=before)


def test_help_screen(snap_compare, review_repo: Path, tmp_path: Path, fixed_analysis) -> None:
    async def before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")

    assert snap_compare(_app(review_repo, tmp_path), terminal_size=(100, 36), run_before=before)


def test_summary_screen(snap_compare, review_repo: Path, tmp_path: Path, fixed_analysis) -> None:
    async def before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("p", "f", "S")
        await pilot.pause()
        pilot.app.clear_notifications()

    assert snap_compare(_app(review_repo, tmp_path), terminal_size=(100, 36), run_before=before)
