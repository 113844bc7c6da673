"""Repository text never becomes live markup or invisible text in any renderer.

Audit Markdown: no live ``<img>``/``<a>``, no image or link syntax. SARIF: ``help.markdown`` is inert
whatever a pull request's checklist guidance holds (no closing the code fence). Text output: invisible
and control characters are placeholders.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from signoff.cli import main
from tests.helpers import commit_files, git, make_repo
from tests.hostile_repos import FIXTURES

PIXEL = '<img src="https://evil.example/pixel.png">'
LINK = "<a href=https://evil.example>click</a>"
MD_IMAGE = "![p](https://evil.example/p.png)"


def _live_html(text: str) -> list[str]:
    """Raw HTML tags a Markdown renderer would pass through (an escaped ``\\<`` or ``&lt;`` is inert)."""
    return re.findall(r"(?<!\\)<(?:img|a|script|iframe|svg|details)\b", text, re.IGNORECASE)


def _live_md(text: str) -> list[str]:
    return re.findall(r"(?<!\\)!\[[^\]]*\]\(|(?<![\\`])\[[^\]]*\]\((?:https?|javascript):", text)


def _outside_code(md: str) -> str:
    """The Markdown with fenced blocks and code spans removed (those are inert)."""
    out, fence = [], ""
    for line in md.split("\n"):
        m = re.match(r"^(`{3,}|~{3,})", line)
        if fence:
            if (
                m
                and m.group(1)[0] == fence[0]
                and len(m.group(1)) >= len(fence)
                and not line[len(m.group(1)) :].strip()
            ):
                fence = ""
            continue
        if m:
            fence = m.group(1)
            continue
        out.append(re.sub(r"(`+)(?:(?!\1).)+?\1", "", line))
    return "\n".join(out)


@pytest.fixture
def hostile_history(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    commit_files(
        repo,
        {"app.py": "x = 2\n"},
        f"{PIXEL} {LINK} {MD_IMAGE} \u202e\u3164\x1b]0;t\x07",
        author=f"Mallory {MD_IMAGE} <x@example.com>",
    )
    commit_files(
        repo,
        {".signoff/reviews/2026/01/x.toml": (FIXTURES / "record-markup.toml").read_bytes()},
        "record",
    )
    return repo


def test_audit_markdown_has_no_live_html_or_links(
    hostile_history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["-C", str(hostile_history), "audit", "--history", "--format", "markdown"])
    md = capsys.readouterr().out
    assert code == 1
    visible_md = _outside_code(md)
    assert _live_html(visible_md) == []
    assert _live_md(visible_md) == []
    assert "\u202e" not in md and "\u3164" not in md and "\x1b" not in md


def test_audit_text_has_placeholders(hostile_history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["-C", str(hostile_history), "audit", "--history"])
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\u3164" not in out and "\x1b" not in out
    assert "<RLO>" in out


@pytest.fixture
def fence_checklist(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo")
    commit_files(
        repo,
        {
            "app.py": "x = 1\n",
            ".signoff/checklists/hostile.toml": (FIXTURES / "checklist-fence.toml").read_bytes(),
        },
        "base",
    )
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {"app.py": "import os\n\u202eimport sys\n"}, "t")
    return repo


def test_sarif_markdown_is_inert(fence_checklist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["-C", str(fence_checklist), "scan", "main..topic", "--format", "sarif"])
    out = capsys.readouterr()
    assert code == 0, out.err
    doc = json.loads(out.out)
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    rule = rules["hostile.fence"]
    md = rule["help"]["markdown"]
    visible_md = _outside_code(md)
    assert _live_html(visible_md) == [] and _live_md(visible_md) == [], md
    for text in (rule["help"]["text"], rule["shortDescription"]["text"], md):
        assert "\u202e" not in text and "\u3164" not in text
    for result in doc["runs"][0]["results"]:
        assert "\u202e" not in result["message"]["text"]


def test_scan_text_questions_from_a_checklist_are_visible(
    fence_checklist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(fence_checklist), "scan", "main..topic"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\u3164" not in out


def test_checklists_show_makes_guidance_visible(
    fence_checklist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(fence_checklist), "checklists", "show", "hostile.fence"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\u3164" not in out and "<RLO>" in out
