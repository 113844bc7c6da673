"""On a big diff the first files' questions are shown first (a preview), then the full set; the preview
never counts as the questions stage being done (a record signed then would not cover the whole diff)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from signoff.app import loader
from signoff.app import messages as m
from tests.app.tui_helpers import make_app, ready
from tests.helpers import commit_files, git, make_repo


def _big_repo(tmp_path: Path) -> Path:
    r = make_repo(tmp_path / "big")
    commit_files(r, {"README.md": "hi\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    body = "".join(f"value_{n} = compute({n})\n" for n in range(299))
    files = {f"m{i}.py": body + f"cur.execute(f'SELECT * FROM t{i} WHERE id = {{uid}}')\n" for i in range(5)}
    commit_files(r, files, "five modules")
    return r


def test_first_files_questions_then_all_and_the_preview_leaves_the_stage_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "PREVIEW_LINES", 500)
    repo = _big_repo(tmp_path)
    loaded: list[m.QuestionsLoaded] = []

    def hook(msg: object) -> None:
        if isinstance(msg, m.QuestionsLoaded) and not any(msg is x for x in loaded):
            loaded.append(msg)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts", ai=False)
        async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
            screen = await ready(app, pilot)
            st = screen.state  # type: ignore[attr-defined]
            assert "questions" in st.stages_done
            full = list(st.questions)
            assert {h.path for q in full for h in q.hits} == {f"m{i}.py" for i in range(5)}
            # a late preview (as the worker posts it) shows its questions but leaves the stage open
            st.stages_done.discard("questions")
            screen.post_message(m.QuestionsLoaded(loaded[0].questions, loaded[0].relevance, partial=True))
            await pilot.pause()
            assert "questions" in st.pending_stages()
            screen.post_message(m.QuestionsLoaded(full, loaded[-1].relevance))
            await pilot.pause()
            assert "questions" not in st.pending_stages()

    asyncio.run(run())
    assert [x.partial for x in loaded[:2]] == [True, False]
    preview_paths = {h.path for q in loaded[0].questions for h in q.hits}
    assert preview_paths and preview_paths <= {"m0.py", "m1.py"}
