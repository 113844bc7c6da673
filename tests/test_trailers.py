"""Trailer parsing agrees with ``git interpret-trailers --parse --no-divider``."""

from __future__ import annotations

import subprocess

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.provenance.trailers import Trailer, parse_trailers, trailer_block
from tests.helpers import git_env


def git_parse(message: str) -> list[str]:
    proc = subprocess.run(
        ["git", "-c", "core.commentChar=#", "interpret-trailers", "--parse", "--no-divider"],
        input=message.encode(),
        capture_output=True,
        env=git_env(),
        check=True,
        timeout=60,
    )
    return [ln.rstrip() for ln in proc.stdout.decode().splitlines()]


def ours(message: str) -> list[str]:
    return [t.line.rstrip() for t in parse_trailers(message)]


def test_basic_block() -> None:
    msg = "Subject\n\nBody text.\n\nCo-authored-by: Claude <noreply@anthropic.com>\nSigned-off-by: A <a@b>\n"
    assert parse_trailers(msg) == [
        Trailer("Co-authored-by", "Claude <noreply@anthropic.com>"),
        Trailer("Signed-off-by", "A <a@b>"),
    ]


def test_title_only_has_no_trailers() -> None:
    assert parse_trailers("Co-authored-by: Claude <noreply@anthropic.com>\n") == []


def test_only_last_paragraph() -> None:
    msg = "S\n\nCo-authored-by: X <x@y>\n\nprose at the end\n"
    assert parse_trailers(msg) == []


def test_continuation_and_case_and_space_before_colon() -> None:
    msg = "S\n\nassisted-BY : Claude:claude-3-opus\n  coccinelle\nX: y\n"
    assert parse_trailers(msg) == [
        Trailer("assisted-BY", "Claude:claude-3-opus coccinelle"),
        Trailer("X", "y"),
    ]


def test_mixed_block_needs_git_generated_trailer() -> None:
    mixed = "S\n\nsome prose\nmore prose\nCo-authored-by: Claude <noreply@anthropic.com>\n"
    assert parse_trailers(mixed) == []
    signed = mixed + "Signed-off-by: A <a@b>\n"
    assert [t.key for t in parse_trailers(signed)] == ["Co-authored-by", "Signed-off-by"]


def test_trailing_comments_and_scissors_ignored() -> None:
    msg = "S\n\nX: y\n# a comment\n\n# ------------------------ >8 ------------------------\nZ: w\n"
    assert trailer_block(msg) == ["X: y"]
    assert parse_trailers(msg) == [Trailer("X", "y")]
    assert ours(msg) == git_parse(msg)


def test_known_examples_match_git() -> None:
    examples = [
        "S\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
        "S\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude\n",
        "S\n\nbody\n\nNot a trailer: x\nCo-authored-by: A <a@b>\n",
        "S\n\nprose\nprose\nprose\nSigned-off-by: A <a@b>\n",
        "S\n\n(cherry picked from commit abc)\nX: y\n",
        "S\n\nX: y\n   folded\n\tmore\n",
        "S\r\n\r\nX: y\r\n",
        "S\n\nhttp://example.com: z\n",
        "S\n\n-X: y\n",
        "S\n\n: y\n",
        "S\n\nX: y\n\n\n",
        "S\n\nConflicts:\n\tpath\n",
        "\nSigned-off-by: A <a@b>\n# comment line\n  continued value",
        "S\n\nX: y\n# c\n  z\nW: v\n",
    ]
    for msg in examples:
        assert ours(msg) == git_parse(msg), msg


_LINES = st.sampled_from(
    [
        "",
        " ",
        "Subject line",
        "prose text here",
        "Co-authored-by: Claude <noreply@anthropic.com>",
        "co-AUTHORED-by:Jane Doe",
        "Assisted-by : Claude:claude-3-opus",
        "Signed-off-by: A <a@b>",
        "(cherry picked from commit 0123abc)",
        "  continued value",
        "\tcontinued tab",
        "# comment line",
        "Key:",
        "Not A Trailer: x",
        "http://example.com/x",
        "Made-with: Cursor",
        "---",
        "Conflicts:",
        "X-Y-Z:value",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINES, min_size=1, max_size=9), st.booleans())
def test_matches_git_interpret_trailers(lines: list[str], final_newline: bool) -> None:
    msg = "\n".join(lines) + ("\n" if final_newline else "")
    assert ours(msg) == git_parse(msg)
