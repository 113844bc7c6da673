"""A project's own agent accounts (``[ai] agents``), agent session links, and the agents added in the
fourth session (Codeflash, Greptile, cubic). Catalogue cases run without git; the settings cases run
``signoff scan`` on real repositories, because the change under review must not choose its settings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signoff.cli import main
from signoff.errors import UsageError
from signoff.provenance.catalogue import load_catalogue
from signoff.provenance.tools import HIGH, MEDIUM, PROJECT_AGENT, strongest
from tests.helpers import commit_files, git, make_repo
from tests.trust_helpers import cli, protect

GH = "@users.noreply.github.com"
HUMAN = ("Ana Lima", "ana@example.org")
CAT = load_catalogue()
AGENT_CONFIG = '[ai]\nagents = ["triage-helper[bot]", "helper@agents.example"]\n'
AGENT_AUTHOR = f"triage-helper[bot] <4242+triage-helper[bot]{GH}>"


def best(message: str, author: tuple[str, str] = HUMAN, cat: object = CAT) -> tuple[str, str, str] | None:
    sig = strongest(cat.commit_signals(message, author, author))  # type: ignore[attr-defined]
    return (sig.kind, sig.tool, sig.confidence) if sig is not None else None


# -- [ai] agents, without git ---------------------------------------------------------------------------


def test_a_configured_agent_is_high_as_author_coauthor_and_bare_app_name() -> None:
    cat = load_catalogue({"agents": ["triage-helper[bot]", "helper@agents.example"]})
    assert best("Fix parser\n", ("triage-helper[bot]", f"4242+triage-helper[bot]{GH}"), cat) == (
        "author",
        PROJECT_AGENT,
        HIGH,
    )
    # the app's display name with an address GitHub made up for it
    assert best("Fix parser\n", ("triage-helper[bot]", "noreply@github.com"), cat)[2] == HIGH  # type: ignore[index]
    trailer = "Fix parser (#12)\n\nCo-authored-by: helper <helper@agents.example>\n"
    assert best(trailer, cat=cat) == ("trailer", PROJECT_AGENT, HIGH)
    # ...and nothing of it without the setting
    assert best(trailer) is None
    assert best("Fix parser\n", ("triage-helper[bot]", f"4242+triage-helper[bot]{GH}")) is None


def test_a_configured_login_is_not_a_display_name_or_an_address_prefix() -> None:
    cat = load_catalogue({"agents": ["helperbot"]})
    assert best("Fix\n", ("helperbot", "ana@example.org"), cat) is None  # a person may be called that
    assert best("Fix\n", ("Ana", "helperbot@example.org"), cat) is None
    assert best("Fix\n", ("Ana", f"77+helperbot{GH}"), cat) == ("author", PROJECT_AGENT, HIGH)


def test_committer_only_configured_agent_is_reported_not_counted() -> None:
    cat = load_catalogue({"agents": ["merge-helper[bot]"]})
    sigs = cat.commit_signals("Merge\n", HUMAN, ("merge-helper[bot]", f"9+merge-helper[bot]{GH}"))
    assert [(s.kind, s.confidence) for s in sigs] == [("committer", "low")]


@pytest.mark.parametrize(
    "entry",
    ["Jane Doe", "*@agents.example", "a b@example.org", "x" * 400, "bot[bot]]", ""],
)
def test_bad_agent_entries_are_one_line_errors(entry: str) -> None:
    with pytest.raises(UsageError) as err:
        load_catalogue({"agents": [entry]})
    assert "\n" not in str(err.value) and "[ai]" in str(err.value)


def test_agents_must_be_a_list_of_strings() -> None:
    with pytest.raises(UsageError):
        load_catalogue({"agents": "triage-helper[bot]"})
    with pytest.raises(UsageError):
        load_catalogue({"agents": [3]})


# -- [ai] agents come from the target, never from the change ------------------------------------------------


def _scan_ai(repo: Path, spec: str, capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["-C", str(repo), "scan", spec, "--no-questions", "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)["ai"]["summary"]


def _agent_change(tmp_path: Path, base_config: str | None, topic_config: str | None) -> Path:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n", ".signoff/config.toml": base_config}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(
        repo, {".signoff/config.toml": topic_config}, "settings", author="Ana Lima <ana@example.org>"
    )
    commit_files(repo, {"app.py": "x = 1\ny = 2\nz = 3\n"}, "Add y and z (#7)", author=AGENT_AUTHOR)
    return repo


def test_a_change_cannot_drop_the_targets_agent_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The attack: the change deletes ``[ai] agents`` so its own agent-written commit reads as human."""
    repo = _agent_change(tmp_path, AGENT_CONFIG, None)
    summary = _scan_ai(repo, "main..topic", capsys)
    assert summary["ai_commits"] == 1
    assert summary["ai"] == 2


def test_the_changes_own_agent_list_is_not_in_effect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _agent_change(tmp_path, None, AGENT_CONFIG)
    assert _scan_ai(repo, "main..topic", capsys)["ai_commits"] == 0


def test_a_bad_agent_list_on_the_target_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _agent_change(tmp_path, '[ai]\nagents = ["Jane Doe"]\n', None)
    code = main(["-C", str(repo), "scan", "main..topic", "--no-questions", "--format", "json"])
    err = capsys.readouterr().err
    assert code != 0
    assert "agents" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


# -- agent session links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "tool"),
    [
        ("Fix wrap\n\nhttps://claude.ai/code/session_01AbCdEfGhJkLmNoPq\n", "claude"),
        (
            "Fix wrap\n\n_Generated by [Claude Code](https://claude.ai/code/session_01AbCdEfGhJkLmNoPq)_\n",
            "claude",
        ),
        (
            "Fix wrap\n\n---\n[Codex Task](https://chatgpt.com/codex/tasks/task_e_0123456789abcdef0123)\n",
            "codex",
        ),
        (
            "Fix wrap\n\n*PR created automatically by Jules for task [123456789](https://jules.google.com/task/"
            "123456789) started by @ana*\n",
            "gemini",
        ),
        ("Fix wrap\n\nLink to Devin run: https://app.devin.ai/sessions/0123456789abcdef0123\n", "devin"),
        (
            'Fix wrap\n\n<p><a href="https://cursor.com/agents/bc-12ab34cd-0000">'
            '<img alt="Open in Web"></a></p>\n',
            "cursor",
        ),
        (
            "Fix wrap\n\nFor more details, open the [Copilot Workspace session](https://copilot-workspace."
            "githubnext.com/o/r/issues/3?shareId=1111-2222).\n",
            "copilot",
        ),
    ],
)
def test_a_session_link_on_its_own_line_is_high(message: str, tool: str) -> None:
    assert best(message) == ("session", tool, HIGH)


def test_a_session_link_inside_prose_is_medium() -> None:
    message = (
        "Fix wrap\n\nI noticed this while reading https://claude.ai/code/session_01AbCdEfGhJkLmNoPq from a "
        "colleague, who asked me to check how the parser handles long lines in narrow windows.\n"
    )
    assert best(message) == ("session", "claude", MEDIUM)


@pytest.mark.parametrize(
    "message",
    [
        "Docs: link https://claude.ai/code for the product page\n",
        "Fix\n\nSee https://chatgpt.com/share/abc123 for the chat.\n",
        "Fix\n\nhttps://jules.google.com/ is the product page\n",
        "Fix\n\nhttps://app.devin.ai/sessions/\n",
    ],
)
def test_product_pages_and_shared_chats_are_not_session_links(message: str) -> None:
    assert best(message) is None


def test_a_session_trailer_is_reported_once_as_the_tools_trailer() -> None:
    message = "Fix\n\nClaude-Session: https://claude.ai/code/session_01AbCdEfGhJkLmNoPq\n"
    sigs = CAT.commit_signals(message, HUMAN, HUMAN)
    assert [(s.kind, s.tool) for s in sigs] == [("tool-trailer", "claude")]


# -- agents added in the fourth session ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "author", "expected"),
    [
        (
            f"Speed up x (#9)\n\nCo-authored-by: codeflash-ai[bot] <148906541+codeflash-ai[bot]{GH}>\n",
            HUMAN,
            ("trailer", "codeflash", HIGH),
        ),
        ("\u26a1\ufe0f Speed up method `Grid.resize` by 41% (#9)\n", HUMAN, ("marker", "codeflash", MEDIUM)),
        (
            "Update lib/a.py\n",
            ("codeflash-ai[bot]", f"148906541+codeflash-ai[bot]{GH}"),
            ("author", "codeflash", HIGH),
        ),
        (
            f"Update a.py\n\nCo-authored-by: greptile-apps[bot] <165735046+greptile-apps[bot]{GH}>\n",
            HUMAN,
            ("trailer", "greptile", HIGH),
        ),
        (
            f"Update a.py\n\nCo-authored-by: cubic-dev-ai[bot] <191113872+cubic-dev-ai[bot]{GH}>\n",
            HUMAN,
            ("trailer", "cubic", HIGH),
        ),
    ],
)
def test_fourth_session_agents(message: str, author: tuple[str, str], expected: tuple[str, str, str]) -> None:
    assert best(message, author) == expected


def test_a_speed_up_subject_without_codeflashs_emoji_is_a_persons() -> None:
    assert best("Speed up function `parse` by 20%\n") is None


def test_claudes_footer_in_italics_is_its_footer() -> None:
    """A PR body's "_Generated with [Claude Code](...)_" lands in the squash commit in italics."""
    assert best("Fix\n\n_Generated with [Claude Code](https://claude.com/claude-code)_\n") == (
        "marker",
        "claude",
        MEDIUM,
    )


def test_audit_reads_the_agent_list_at_the_target_not_the_branch(tmp_path: Path) -> None:
    """An agent's direct push on main stays an AI commit when the audited branch drops ``[ai] agents``."""
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {".signoff/config.toml": AGENT_CONFIG, "app.py": "x = 1\n"}, "base")
    pushed = commit_files(repo, {"app.py": "x = 1\ny = 2\n"}, "Add y (#3)", author=AGENT_AUTHOR)
    protect(repo)
    git(repo, "checkout", "-q", "-b", "pr")
    commit_files(
        repo, {".signoff/config.toml": None}, "drop the settings", author="Ana Lima <ana@example.org>"
    )
    _, out, err = cli(repo, "audit", "--format", "json")
    assert out.strip(), err
    commits = {c["sha"]: c for c in json.loads(out)["commits"]}
    assert [a["sha"] for a in commits[pushed]["ai_commits"]] == [pushed]
    assert "[ai] agents" in commits[pushed]["ai_commits"][0]["reason"]
