"""Commit-level AI signals from messages and identities (pure functions, no git)."""

from __future__ import annotations

import pytest

from signoff.errors import UsageError
from signoff.provenance.gitai import parse_note
from signoff.provenance.tools import HIGH, MEDIUM, glob_to_regex, load_catalogue

HUMAN = ("Jane Doe", "jane@example.org")
GH = "@users.noreply.github.com"
CAT = load_catalogue()


def signals(message: str, author: tuple[str, str] = HUMAN, committer: tuple[str, str] | None = None):
    return CAT.commit_signals(message, author, committer)


def one(message: str, author: tuple[str, str] = HUMAN) -> tuple[str, str, str]:
    sigs = signals(message, author)
    assert len(sigs) == 1, sigs
    return sigs[0].kind, sigs[0].tool, sigs[0].confidence


@pytest.mark.parametrize(
    ("message", "tool"),
    [
        ("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", "claude"),
        ("Fix\n\nCo-authored-by: Claude Opus 4.5 <noreply@anthropic.com>\n", "claude"),
        ("Fix\n\nco-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>\n", "copilot"),
        ("Fix\n\nCo-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>\n", "copilot"),
        ("Fix\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n", "cursor"),
        ("Fix\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>\n", "aider"),
        (
            f"Fix\n\nCo-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]{GH}>\n",
            "devin",
        ),
        ("Fix\n\nCo-authored-by: Amp <amp@ampcode.com>\n", "amp"),
        ("Fix\n\nCo-developed-by: Crush <crush@charm.land>\n", "crush"),
        ("Fix\n\nGenerated-by: GitHub Copilot\n", "copilot"),
        ("Fix\n\nGenerated-by: OpenAI Codex\n", "codex"),
        ("Fix\n\nAssisted-by: Gemini CLI\n", "gemini"),
        ("Fix\n\nAI-assisted-by: Amazon Q Developer\n", "amazon-q"),
        ("Fix\n\nAssisted-by: Windsurf\n", "windsurf"),
        # the kernel's Assisted-by: AGENT:MODEL [TOOL...]; unknown agents still count
        (
            "mm: fix\n\nAssisted-by: Claude:claude-3-opus coccinelle sparse\nSigned-off-by: A <a@b>\n",
            "claude",
        ),
        ("mm: fix\n\nAssisted-by: SomeAgent:some-model-7b\nSigned-off-by: A <a@b>\n", "unknown"),
        ("Fix\n\nCo-authored-by-AI: yes\n", "unknown"),
        ("Fix\n\nAI-assisted: Claude Code\n", "claude"),
    ],
)
def test_explicit_trailers_are_high(message: str, tool: str) -> None:
    kind, got_tool, confidence = one(message)
    assert (kind, got_tool, confidence) == ("trailer", tool, HIGH)


@pytest.mark.parametrize(
    ("message", "tool"),
    [
        ("Fix\n\nClaude-Session: https://claude.ai/code/session_01\n", "claude"),
        ("Fix\n\nMade-with: Cursor\n", "cursor"),
        ("Fix\n\nReplit-Commit-Author: Agent\nReplit-Commit-Session-Id: 6f1c\n", "replit"),
        ("Fix\n\nAmp-Thread-ID: https://ampcode.com/threads/T-1\n", "amp"),
    ],
)
def test_tool_trailers_are_high(message: str, tool: str) -> None:
    assert one(message) == ("tool-trailer", tool, HIGH)


@pytest.mark.parametrize(
    ("message", "tool"),
    [
        ("Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n", "claude"),
        ("Fix\n\nGenerated with Claude Code\n", "claude"),
        ("Fix\n\n💘 Generated with Crush\n", "crush"),
    ],
)
def test_message_markers_are_medium(message: str, tool: str) -> None:
    kind, got, conf = one(message)
    assert (kind, got, conf) == ("marker", tool, MEDIUM)
    assert signals(message)[0].evidence.strip().lower().startswith(("🤖", "generated", "💘"))


def test_claude_code_footer_gives_trailer_and_marker() -> None:
    msg = (
        "Add parser\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
        "Co-Authored-By: Claude <noreply@anthropic.com>\n"
    )
    sigs = signals(msg)
    assert [(s.kind, s.confidence) for s in sigs] == [("trailer", HIGH), ("marker", MEDIUM)]
    assert sigs[0].evidence == "Co-Authored-By: Claude <noreply@anthropic.com>"


@pytest.mark.parametrize(
    ("author", "tool"),
    [
        (("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"), "copilot"),
        (("Copilot", "198982749+Copilot@users.noreply.github.com"), "copilot"),
        (("claude[bot]", "209825114+claude[bot]@users.noreply.github.com"), "claude"),
        (
            ("devin-ai-integration[bot]", f"158243242+devin-ai-integration[bot]{GH}"),
            "devin",
        ),
        (("cursor[bot]", "206951365+cursor[bot]@users.noreply.github.com"), "cursor"),
        (("openai-codex[bot]", "openai-codex[bot]@users.noreply.github.com"), "codex"),
        (
            (
                "chatgpt-codex-connector[bot]",
                f"199175422+chatgpt-codex-connector[bot]{GH}",
            ),
            "codex",
        ),
        (("gemini-code-assist[bot]", f"176961590+gemini-code-assist[bot]{GH}"), "gemini"),
        (("amazon-q-developer[bot]", f"amazon-q-developer[bot]{GH}"), "amazon-q"),
        (("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"), "gemini"),
        (("Claude", "noreply@anthropic.com"), "claude"),
        (("Cursor Agent", "cursoragent@cursor.com"), "cursor"),
        (("Jane Doe (aider)", "jane@example.org"), "aider"),
        (("aider", "aider@aider.chat"), "aider"),
        (("copilot-swe-agent[bot]", "bot@example.org"), "copilot"),  # the bot login as the name
    ],
)
def test_bot_authors_are_high(author: tuple[str, str], tool: str) -> None:
    assert one("Change\n", author) == ("author", tool, HIGH)


def test_committer_is_checked_too() -> None:
    sigs = signals("Change\n", HUMAN, ("Jane Doe (aider)", "jane@example.org"))
    assert [(s.kind, s.tool) for s in sigs] == [("committer", "aider")]


@pytest.mark.parametrize(
    "message",
    [
        "Fix\n\nCo-authored-by: Jane Doe\n",
        "Fix\n\nCo-authored-by: Jane Doe <jane@doe.org>\n",
        "Fix\n\nCo-authored-by: Claude Monet <claude@monet.fr>\n",
        "Fix\n\nAssisted-by: Claude Monet <claude@monet.fr>\n",
        "Fix\n\nAssisted-by: Jane Doe <jane@doe.org>\n",
        "Fix\n\nReviewed-by: Claude <noreply@anthropic.com>\n",  # a review is not authorship
        "Compare Claude and Copilot output\n\n"
        "We tried Claude, Copilot, ChatGPT and Cursor; none of them helped.\n"
        "See the Generated with [Claude Code] footer discussion in #12.\n",
        "Mention aider and devin in the docs\n",
        "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n\nmore prose after the block\n",
        "Fix\n\nAI-assisted: no\n",
        "Fix\n\nMade-with: love\n",
        "Fix\n\nReplit-Commit-Author: Jane\n",
        "Fix\n\nAssisted-by: my colleague\n",
    ],
)
def test_negative_messages(message: str) -> None:
    assert signals(message) == []


@pytest.mark.parametrize(
    "author",
    [
        ("Aider Smith", "aider.smith@example.org"),
        ("Claude Monet", "claude@monet.fr"),
        ("Claude", "claude@example.org"),
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"),
        ("GitHub", "noreply@github.com"),
        ("copilot-fan", "12345+copilot-fan@users.noreply.github.com"),
        ("(aider)", "x@example.org"),
    ],
)
def test_negative_authors(author: tuple[str, str]) -> None:
    assert signals("Change\n", author) == []


def test_name_only_co_author_is_medium() -> None:
    assert one("Fix\n\nCo-authored-by: Claude <claude@example.org>\n") == ("trailer", "claude", MEDIUM)
    assert one("Fix\n\nCo-authored-by: GitHub Copilot\n") == ("trailer", "copilot", MEDIUM)


def test_repo_config_extras() -> None:
    cat = load_catalogue(
        {
            "trailers": ["X-Agent", "Prompted-by: ^gpt"],
            "author_emails": ["*@bots.example.com"],
            "message_patterns": [r"^\[ai\]"],
            "paths": ["gen/**", "*.pb.go"],
        }
    )
    assert [s.kind for s in cat.commit_signals("Fix\n\nX-Agent: whatever\n", HUMAN)] == ["config"]
    assert cat.commit_signals("Fix\n\nPrompted-by: Jane\n", HUMAN) == []
    assert cat.commit_signals("Fix\n\nPrompted-by: GPT-5\n", HUMAN)[0].confidence == HIGH
    assert cat.commit_signals("Fix\n", ("Build", "ci@bots.example.com"))[0].kind == "config"
    msg = cat.commit_signals("[ai] refactor\n", HUMAN)
    assert [(s.kind, s.confidence) for s in msg] == [("config", MEDIUM)]
    assert cat.commit_signals("refactor [ai]\n", HUMAN) == []
    assert cat.path_glob("gen/a/b.py") == "gen/**"
    assert cat.path_glob("x/y/api.pb.go") == "*.pb.go"
    assert cat.path_glob("src/gen/a.py") is None


@pytest.mark.parametrize(
    "config",
    [
        {"trailers": "X-Agent"},
        {"message_patterns": ["("]},
        {"paths": [1]},
        {"message_patterns": ["a" * 400]},
    ],
)
def test_bad_config_is_a_usage_error(config: dict) -> None:
    with pytest.raises(UsageError):
        load_catalogue(config)


def test_header_declarations() -> None:
    rx = CAT.inline_header
    for text in [
        "// Code generated by GitHub Copilot. DO NOT EDIT.",
        "# This file was generated by ChatGPT",
        "@generated",
    ]:
        assert rx.search(text), text
    for text in ['description = "code written by AI assistants"', 'title = "AI-generated code review"']:
        assert not rx.search(text), text
        assert CAT.inline.search(text), text  # still flags its own line


def test_glob_to_regex() -> None:
    assert glob_to_regex("*.py").match("a/b/c.py")
    assert not glob_to_regex("*.py").match("a/b/c.pyc")
    assert glob_to_regex("src/**/gen_*.go").match("src/gen_a.go")
    assert glob_to_regex("src/**/gen_*.go").match("src/x/y/gen_a.go")
    assert not glob_to_regex("src/*.go").match("src/x/a.go")
    assert glob_to_regex("generated/").match("generated/x/y.txt")
    assert glob_to_regex("/top.txt").match("top.txt")
    assert not glob_to_regex("/top.txt").match("sub/top.txt")


def test_inline_patterns() -> None:
    rx = CAT.inline
    for text in [
        "// @generated by protoc",
        "# This file was generated by ChatGPT",
        "/* Code generated with GitHub Copilot */",
        "# AI-generated: review carefully",
        "// written by Claude",
    ]:
        assert rx.search(text), text
    for text in [
        "x = generated_id()",
        "# generated by the build",
        "print('Claude Monet')",
        "ai_generated = 1",
        'id = "ai-generated"',
    ]:
        assert not rx.search(text), text


# -- git-ai notes ------------------------------------------------------------------------------------

NOTE = """src/main.rs
  abcd1234abcd1234 1-4,9,12-20
"src/my file.rs"
  efef5678efef5678 3
---
{"schema_version": "authorship/3.0.0", "base_commit_sha": "7734793b",
 "prompts": {"abcd1234abcd1234": {"agent_id": {"tool": "cursor", "id": "x", "model": "claude-4.5-opus"},
                                   "human_author": "Dev <dev@example.com>", "messages": []},
             "efef5678efef5678": {"agent_id": {"tool": "claude", "model": "sonnet"}}}}
"""


def test_parse_git_ai_note() -> None:
    note = parse_note(NOTE)
    assert note is not None
    assert note.schema_version == "authorship/3.0.0"
    assert note.ranges["src/main.rs"] == [
        (1, 4, "abcd1234abcd1234"),
        (9, 9, "abcd1234abcd1234"),
        (12, 20, "abcd1234abcd1234"),
    ]
    assert note.ai_lines == 4 + 1 + 9 + 1
    assert note.session_at("src/main.rs", 9).label() == "cursor / claude-4.5-opus"
    assert note.session_at("src/main.rs", 10) is None
    assert note.session_at("src/my file.rs", 3).tool == "claude"
    assert note.problems == 0


@pytest.mark.parametrize(
    "text",
    ["", "just text\n", '{"a": 1}\n', "x\n---\n" + '{"schema_version": "something/1"}'],
)
def test_non_git_ai_notes(text: str) -> None:
    note = parse_note(text)
    assert note is None or not note.ranges


def test_malformed_note_lines_are_counted_not_raised() -> None:
    note = parse_note("a.py\n  zz 1-2\n  abcdabcdabcdabcd 5-3\n  abcdabcdabcdabcd 7\n---\nnot json\n")
    assert note is not None
    assert note.ranges == {"a.py": [(7, 7, "abcdabcdabcdabcd")]}
    assert note.problems == 3
