"""Invisible code: every Default_Ignorable_Code_Point, every format character (Cf), the tag characters
and blank-looking identifier letters are shown as placeholders and trigger the Trojan Source question.

The oracle is the third-party ``regex`` module's Unicode property support (``\\p{DI}``, ``\\p{Cf}``); the
set signoff uses is a table generated from the Unicode data, so the two must agree code point by code point.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from signoff.cli import main
from signoff.util.sanitize import find_invisible, visible
from tests.helpers import commit_files, git, make_repo

# The characters of the red-team report, and their relatives.
REPORTED = {
    "\u3164": "HANGUL FILLER (a valid JavaScript identifier: the invisible backdoor)",
    "\u2060": "WORD JOINER",
    "\u00ad": "SOFT HYPHEN",
    "\u180e": "MONGOLIAN VOWEL SEPARATOR",
    "\U000e0041": "TAG LATIN CAPITAL LETTER A",
    "\U000e007f": "CANCEL TAG",
    "\u115f": "HANGUL CHOSEONG FILLER",
    "\uffa0": "HALFWIDTH HANGUL FILLER",
    "\u034f": "COMBINING GRAPHEME JOINER",
    "\ufe0f": "VARIATION SELECTOR-16",
    "\U000e0100": "VARIATION SELECTOR-17",
    "\u2800": "BRAILLE PATTERN BLANK (looks like a space, is not whitespace)",
    "\u206a": "INHIBIT SYMMETRIC SWAPPING",
    "\u0600": "ARABIC NUMBER SIGN (Cf)",
    "\U0001d173": "MUSICAL SYMBOL BEGIN BEAM",
}


@pytest.mark.parametrize("ch", sorted(REPORTED), ids=[REPORTED[c] for c in sorted(REPORTED)])
def test_visible_makes_it_a_placeholder(ch: str) -> None:
    shown = visible(f"a{ch}b")
    assert ch not in shown
    assert shown.startswith("a<") and shown.endswith(">b")
    assert find_invisible(f"a{ch}b")


def test_ordinary_text_is_untouched() -> None:
    text = "naïve café 東京 Ελληνικά עברית العربية emoji 🎉 tab\tend"
    assert visible(text) == text
    assert find_invisible(text) == []


def test_every_default_ignorable_and_format_character_is_made_visible() -> None:
    regex = pytest.importorskip("regex")
    oracle = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cf}]")
    missed = [
        f"U+{cp:04X}"
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF and oracle.match(chr(cp)) and visible(chr(cp)) == chr(cp)
    ]
    assert missed == []


def test_the_table_follows_the_standard_library_for_format_characters() -> None:
    missed = [
        f"U+{cp:04X}"
        for cp in range(0x110000)
        if unicodedata.category(chr(cp)) == "Cf" and visible(chr(cp)) == chr(cp)
    ]
    assert missed == []


JS_BACKDOOR = (
    "app.get('/network_health', async (req, res) => {\n"
    "    const { timeout,\u3164} = req.query;\n"
    "    const checkCommands = [\n"
    "        'ping -c 1 google.com',\n"
    "        \u3164\n"
    "    ];\n"
    "});\n"
)


@pytest.mark.parametrize("ch", sorted(REPORTED), ids=[REPORTED[c] for c in sorted(REPORTED)])
def test_trojan_source_question_triggers(tmp_path: Path, ch: str, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"server.js": "// server\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {"server.js": f"// server\nconst a{ch} = 1;\n"}, "t")
    assert main(["-C", str(repo), "scan", "main..topic", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "code.trojan-source" in {q["id"] for q in doc["questions"]["triggered"]}


def test_invisible_backdoor_is_visible_in_the_text_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"server.js": "// server\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {"server.js": JS_BACKDOOR, "a\u2060b.js": "x\n"}, "health check")
    assert main(["-C", str(repo), "scan", "main..topic"]) == 0
    out = capsys.readouterr().out
    assert "code.trojan-source" in out
    assert "\u3164" not in out and "\u2060" not in out
    assert "a<WJ>b.js" in out or "a<U+2060>b.js" in out
