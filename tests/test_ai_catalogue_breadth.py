"""Tools and forms added by the 2026-12-03 breadth pass, and the model-name identity class (no git)."""

from __future__ import annotations

import pytest

from signoff.provenance.catalogue import load_catalogue
from signoff.provenance.tools import HIGH, LOW, MEDIUM, strongest

GH = "@users.noreply.github.com"
HUMAN = ("Jane Doe", "jane@example.org")
CAT = load_catalogue()


def best(message: str, author: tuple[str, str] = HUMAN) -> tuple[str, str] | None:
    sig = strongest(CAT.commit_signals(message, author, author))
    return (sig.tool, sig.confidence) if sig is not None else None


@pytest.mark.parametrize(
    ("message", "tool", "confidence"),
    [
        ("Fix\n\nCo-Authored-By: Cline <noreply@cline.bot>\n", "cline", HIGH),
        ("Fix\n\n🤖 Generated with [Cline](https://docs.cline.bot)\n", "cline", MEDIUM),
        ("Fix\n\n🤖 Generated with [Kilo Code](https://kilocode.ai)\n", "kilo", MEDIUM),
        (
            "Fix\n\nGenerated with [Continue](https://continue.dev)\n\n"
            "Co-Authored-By: Continue <noreply@continue.dev>\n",
            "continue",
            HIGH,
        ),
        (f"Fix\n\nCo-authored-by: goose <271095942+aaif-goose{GH}>\n", "goose", HIGH),
        ("Fix\n\nCo-Authored-By: Goose <goose-agent@block.xyz>\n", "goose", MEDIUM),
        (f"Fix\n\nCo-authored-by: v0[bot] <v0[bot]{GH}>\n", "v0", HIGH),
        ("Fix\n\nCo-Authored-By: Oz <oz-agent@warp.dev>\n", "warp", HIGH),
        (f"Fix\n\nCo-authored-by: Kiro Agent <244629292+kiro-agent{GH}>\n", "amazon-q", HIGH),
        ("Fix\n\nCo-authored-by: Kimi Code <noreply@moonshot.ai>\n", "kimi", HIGH),
        ("Fix\n\nCo-authored-by: QoderAI (Qwen 3.5 Max) <qoder_ai@qoder.com>\n", "qoder", MEDIUM),
        ("Fix\n\nCo-authored-by: TRAE CLI <noreply@bytedance.com>\n", "trae", MEDIUM),
        (f"Fix\n\nCo-authored-by: sourcery-ai[bot] <58596630+sourcery-ai[bot]{GH}>\n", "sourcery", HIGH),
        ("Fix\n\nCo-Authored-By: Tabnine Agent <noreply@tabnine.com>\n", "tabnine", MEDIUM),
        ("Fix\n\nCo-authored-by: Jules <noreply@jules.google>\n", "gemini", MEDIUM),
    ],
)
def test_breadth_pass_forms(message: str, tool: str, confidence: str) -> None:
    assert best(message) == (tool, confidence)


@pytest.mark.parametrize(
    ("author", "tool"),
    [
        (("gpt-engineer-app[bot]", f"159125892+gpt-engineer-app[bot]{GH}"), "lovable"),
        (("kilo-code-bot[bot]", f"240665456+kilo-code-bot[bot]{GH}"), "kilo"),
        (("v0[bot]", f"v0[bot]{GH}"), "v0"),
        (("Kiro Agent", f"244629292+kiro-agent{GH}"), "amazon-q"),
    ],
)
def test_breadth_pass_agent_accounts(author: tuple[str, str], tool: str) -> None:
    assert best("Update page\n", author) == (tool, HIGH)


@pytest.mark.parametrize(
    ("name", "tool"),
    [
        ("GLM-4.6", "other-llm"),
        ("Qwen3-Coder", "other-llm"),
        ("DeepSeek V3.2", "other-llm"),
        ("MiniMax-M2", "other-llm"),
        ("GPT-5.4", "codex"),
        ("Kimi K2.6", "kimi"),
    ],
)
def test_a_model_name_with_a_version_is_a_medium_identity(name: str, tool: str) -> None:
    assert best(f"Fix\n\nCo-authored-by: {name} <bot@tool.example>\n") == (tool, MEDIUM)


@pytest.mark.parametrize(
    "name",
    [
        "Grok",
        "Sonnet Jones",
        "Gemma Opus",
        "Jules Winnfield",
        "Zed",
        "Maxim Kimi",
        "Continue Smith",
        "R2 Gpt",
    ],
)
def test_people_and_bare_words_are_not_model_names(name: str) -> None:
    got = best(f"Fix\n\nCo-authored-by: {name} <{name.split()[0].lower()}@example.org>\n")
    assert got is None or got[1] == LOW, got


def test_names_that_are_also_people_stay_low_without_an_address() -> None:
    for name in ("Kimi", "Goose", "Cline", "Kilo", "Oz", "Lovable", "Continue"):
        got = best(f"Fix\n\nCo-authored-by: {name} <{name.lower()}@example.org>\n")
        assert got is not None and got[1] == LOW, (name, got)


def test_identify_is_cached_per_identity() -> None:
    cat = load_catalogue()
    first = cat.identify("GLM-4.6", "bot@tool.example")
    assert cat.identify("GLM-4.6", "bot@tool.example") is first
    assert cat.identify("Jane Doe", "jane@example.org") is None


def test_factory_droid_default_trailer_is_high() -> None:
    assert best("Fix\n\nCo-authored-by: Droid <droid@factory.ai>\n") == ("factory", HIGH)
