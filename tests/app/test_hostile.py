"""Repository text is shown literally: markup stays text, escapes and bidi controls become placeholders."""

from __future__ import annotations

import asyncio
from pathlib import Path

from signoff.app.app import SignoffApp
from signoff.app.widgets.diffview import DiffView
from signoff.app.widgets.filelist import FileList
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from tests.app.tui_helpers import settle

DANGEROUS = ("\x1b", "\x07", "\u202e")


def test_hostile_text_renders_literally_and_visibly(review_repo: Path, tmp_path: Path) -> None:
    asyncio.run(_hostile(review_repo, tmp_path))


async def _hostile(review_repo: Path, tmp_path: Path) -> None:
    git = open_repo(review_repo)
    app = SignoffApp(git, resolve_target(git, "main..feature"), draft_dir=tmp_path / "drafts")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        await pilot.pause()
        dv = app.screen.query_one(DiffView)
        assert dv.model is not None
        for side_by_side in (False, True):
            dv.set_side_by_side(side_by_side)
            texts = []
            for r in range(len(dv.model)):
                strip = dv._render_row(r, 0, 240, False, False)
                texts.append("".join(seg.text for seg in strip))
            everything = "\n".join(texts)
            for ch in DANGEROUS:
                assert ch not in everything
            assert "# [bold red]x[/] [@click=app.quit]q[/]" in everything
            assert '"<ESC>]0;pwned^G <RLO> evil <ESC>[31mred"' in everything
            assert "docs/<ESC>[31mred<RLO>name.md" in everything  # file header
            assert "[link=http://x]y[/link]" in everything
        # the file list shows the hostile name with placeholders, not raw
        fl = app.screen.query_one(FileList)
        labels = [str(fl.label(e, 200)) for e in fl.rows.entries if e.index >= 0]
        assert any("docs/<ESC>[31mred<RLO>name.md" in lab for lab in labels)
        assert not any(ch in lab for lab in labels for ch in DANGEROUS)
        # and nothing dangerous reaches the rendered screen
        svg = app.export_screenshot()
        for ch in DANGEROUS:
            assert ch not in svg
        assert app.is_running  # [@click=app.quit] was not executed as markup
