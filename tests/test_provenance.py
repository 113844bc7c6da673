"""AI provenance on real repositories: commit signals, per-line attribution, git-ai notes, merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signoff.cli.main import main
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.provenance.attribution import Attribution, attribute
from tests.helpers import commit_files, git, make_repo, write

CLAUDE = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
COPILOT_BOT = "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>"


def lines(*items: str) -> str:
    return "".join(f"{x}\n" for x in items)


def run(repo: Path, rev: str | None = None, **kw) -> Attribution:
    g = open_repo(repo)
    target = resolve_target(g, rev, **kw)
    return attribute(g, target, load_diff(g, target))


def ai_numbers(a: Attribution, path: str) -> list[int]:
    fa = a.files.get(path)
    return sorted(fa.ai_lines) if fa else []


@pytest.fixture
def mixed(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """main: base; feature: commits of every signal kind and the negative cases, one file each."""
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"base.txt": "base\n", "shared.py": lines("a", "b", "c")}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    shas = {}
    shas["human"] = commit_files(r, {"human.py": lines("h1", "h2")}, "human work")
    shas["claude"] = commit_files(r, {"claude.py": lines("c1", "c2", "c3")}, "add claude.py" + CLAUDE)
    shas["bot"] = commit_files(r, {"bot.py": lines("b1")}, "bot change", author=COPILOT_BOT)
    shas["marker"] = commit_files(
        r,
        {"marker.py": lines("m1")},
        "marker\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n",
    )
    shas["jane"] = commit_files(
        r, {"jane.py": lines("j1")}, "pair\n\nCo-authored-by: Jane Doe <jane@doe.org>\n"
    )
    shas["prose"] = commit_files(
        r,
        {"prose.py": lines("p1")},
        "Compare Claude and Copilot\n\nWe asked Claude and Copilot; neither helped.\n",
    )
    shas["aider_smith"] = commit_files(
        r, {"aider.py": lines("x1")}, "by Aider", author="Aider Smith <aider.smith@example.org>"
    )
    shas["aider"] = commit_files(
        r, {"aider2.py": lines("y1")}, "aider edit", author="Jane Doe (aider) <jane@example.org>"
    )
    # a human edit in the middle of a file Claude wrote: only Claude's lines stay AI
    shas["edit"] = commit_files(r, {"claude.py": lines("c1", "human", "c2", "c3")}, "human edit")
    return r, shas


def test_every_signal_kind_and_the_negatives(mixed) -> None:
    r, shas = mixed
    a = run(r, "main..feature")
    assert len(a.all_commits) == 9
    flagged = {c.sha: c for c in a.commits}
    assert set(flagged) == {shas["claude"], shas["bot"], shas["marker"], shas["aider"]}
    assert flagged[shas["claude"]].confidence == "high"
    assert flagged[shas["bot"]].signals[0].kind == "author"
    assert flagged[shas["marker"]].confidence == "medium"
    assert flagged[shas["aider"]].signals[0].tool == "aider"

    assert ai_numbers(a, "claude.py") == [1, 3, 4]
    assert not a.is_ai("claude.py", 2)
    assert a.commit_of("claude.py", 2) == shas["edit"]
    assert a.commit_of("claude.py", 3) == shas["claude"]
    reason = a.reason("claude.py", 1)
    assert reason is not None and shas["claude"][:12] in reason and "noreply@anthropic.com" in reason
    assert ai_numbers(a, "bot.py") == [1]
    assert ai_numbers(a, "marker.py") == [1]
    assert ai_numbers(a, "aider2.py") == [1]
    for path in ("human.py", "jane.py", "prose.py", "aider.py"):
        assert ai_numbers(a, path) == [], path
    assert a.files["claude.py"].added == 4 and a.files["claude.py"].ai == 3
    assert (a.added, a.ai) == (12, 6)
    # the shapes the TUI and the relevance engine consume
    assert ("claude.py", 1) in a and ("claude.py", 2) not in a
    assert a("bot.py", 1) is True
    assert a.line("claude.py", 2).ai is False and a.line("claude.py", 2).ai_reason is None
    assert a.line_sets()["claude.py"] == {1, 3, 4}
    assert ("marker.py", 1) in a.ai_line_set()


def test_no_ai_commits_needs_no_blame(feature_repo: Path) -> None:
    a = run(feature_repo, "main..feature")
    assert a.traced_files == 0 and a.ai == 0 and a.added > 0 and a.commits == []


def test_single_commit_range_needs_no_blame(repo: Path) -> None:
    commit_files(repo, {"a.py": "x\n"}, "base")
    sha = commit_files(repo, {"a.py": lines("x", "y", "z")}, "more" + CLAUDE)
    a = run(repo, "HEAD")
    assert a.traced_files == 0
    assert ai_numbers(a, "a.py") == [2, 3]
    assert a.commit_of("a.py", 2) == sha


def test_root_commit_range(repo: Path) -> None:
    commit_files(repo, {"a.py": lines("x", "y")}, "root" + CLAUDE)
    commit_files(repo, {"b.py": "h\n"}, "human")
    a = run(repo, "HEAD~1")  # the root commit, against the empty tree
    assert ai_numbers(a, "a.py") == [1, 2]
    g = open_repo(repo)
    from signoff.git.runner import EMPTY_TREE
    from signoff.git.target import ReviewTarget

    head = g.head()
    target = ReviewTarget("range", EMPTY_TREE, head, "all")
    a = attribute(g, target, load_diff(g, target))
    assert ai_numbers(a, "a.py") == [1, 2] and ai_numbers(a, "b.py") == []
    assert a.traced_files == 2


def test_merge_commit_range(repo: Path) -> None:
    """Lines brought in by a merge are attributed to the side-branch commit that wrote them."""
    commit_files(repo, {"app.py": lines("a", "b", "c", "d", "e", "f")}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    human = commit_files(repo, {"app.py": lines("a", "HUMAN", "b", "c", "d", "e", "f")}, "human on feature")
    git(repo, "checkout", "-q", "-b", "side", "main")
    ai = commit_files(
        repo,
        {"app.py": lines("a", "b", "c", "d", "e", "AI-1", "AI-2", "f"), "side.py": "s\n"},
        "side" + CLAUDE,
    )
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "side")
    merge = commit_files(repo, {"after.py": "m\n"}, "after merge")
    a = run(repo, "main..feature")
    assert {c.sha for c in a.all_commits} >= {human, ai, merge}
    assert [c.sha for c in a.commits] == [ai]
    assert ai_numbers(a, "app.py") == [7, 8]
    assert not a.is_ai("app.py", 2)
    assert a.commit_of("app.py", 2) == human
    assert a.commit_of("app.py", 7) == ai
    assert ai_numbers(a, "side.py") == [1]
    assert ai_numbers(a, "after.py") == []


def test_merge_resolution_lines_belong_to_the_merge(repo: Path) -> None:
    commit_files(repo, {"f.py": lines("x")}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"f.py": lines("feature")}, "human")
    git(repo, "checkout", "-q", "-b", "side", "main")
    commit_files(repo, {"f.py": lines("side")}, "ai" + CLAUDE)
    git(repo, "checkout", "-q", "feature")
    proc_ok = True
    try:
        git(repo, "merge", "-q", "--no-edit", "side")
    except AssertionError:
        proc_ok = False
    assert not proc_ok  # conflict
    write(repo, {"f.py": lines("resolved by hand")})
    git(repo, "add", "f.py")
    git(repo, "commit", "-q", "--no-edit")
    a = run(repo, "main..feature")
    assert ai_numbers(a, "f.py") == []
    assert a.commit_of("f.py", 1) == git(repo, "rev-parse", "HEAD").strip()


def _note(*files: tuple[str, str], tool: str = "cursor", model: str = "claude-4.5-opus") -> str:
    h = "abcd1234abcd1234"
    att = "".join(f"{p}\n  {h} {ranges}\n" for p, ranges in files)
    meta = {
        "schema_version": "authorship/3.0.0",
        "base_commit_sha": "0" * 40,
        "prompts": {h: {"agent_id": {"tool": tool, "id": "s1", "model": model}, "human_author": "Dev <d@x>"}},
    }
    return f"{att}---\n{json.dumps(meta)}\n"


def test_git_ai_notes_give_exact_lines(repo: Path) -> None:
    commit_files(repo, {"base.txt": "b\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    # The note says lines 2-3 of a.py and line 1 of "sp ace.py" were AI; the commit has no trailer.
    c1 = commit_files(repo, {"a.py": lines("h1", "ai1", "ai2", "h2"), "sp ace.py": lines("ai")}, "work")
    git(repo, "notes", "--ref=ai", "add", "-m", _note(("a.py", "2-3"), ('"sp ace.py"', "1")), c1)
    # A later human commit shifts a.py down by two lines: attribution follows the original lines.
    commit_files(repo, {"a.py": lines("new1", "new2", "h1", "ai1", "ai2", "h2")}, "human prepend")
    # A note on a commit that also has a trailer: the note decides which lines are AI.
    c3 = commit_files(repo, {"b.py": lines("x", "y")}, "both" + CLAUDE)
    git(repo, "notes", "--ref=ai", "add", "-m", _note(("b.py", "2"), tool="claude", model="sonnet"), c3)
    a = run(repo, "main..feature")
    assert ai_numbers(a, "a.py") == [4, 5]
    assert ai_numbers(a, "sp ace.py") == [1]
    assert ai_numbers(a, "b.py") == [2]
    reason = a.reason("a.py", 4)
    assert reason is not None and "git-ai" in reason and "cursor / claude-4.5-opus" in reason
    sig = a.commit(c1).signals[0]
    assert (sig.kind, sig.confidence, sig.tool) == ("git-ai", "exact", "cursor")
    assert a.commit(c1).to_json()["git_ai_lines"] == 3


def test_git_ai_note_follows_a_rename(repo: Path) -> None:
    commit_files(repo, {"base.txt": "b\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    body = lines(*(f"line {i}" for i in range(1, 11)))
    c1 = commit_files(repo, {"old.py": body}, "write")
    git(repo, "notes", "--ref=ai", "add", "-m", _note(("old.py", "3-4")), c1)
    git(repo, "mv", "old.py", "new.py")
    git(repo, "commit", "-q", "-m", "rename")
    a = run(repo, "main..feature")
    assert ai_numbers(a, "new.py") == [3, 4]


def test_ignore_revs_file_in_repo_config_does_not_matter(repo: Path) -> None:
    commit_files(repo, {"a.py": lines("x", "y")}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    ai = commit_files(repo, {"a.py": lines("x-ai", "y")}, "ai" + CLAUDE)  # rewrites a line
    commit_files(repo, {"b.py": "h\n"}, "human")
    (repo / "ignore-revs").write_text(ai + "\n")
    git(repo, "config", "blame.ignoreRevsFile", str(repo / "ignore-revs"))
    # plain git hands the rewritten line back to the base commit
    plain = git(repo, "blame", "--porcelain", "-L1,1", "main..feature", "--", "a.py")
    assert plain.split()[0] != ai
    a = run(repo, "main..feature")
    assert ai_numbers(a, "a.py") == [1]
    assert a.commit_of("a.py", 1) == ai
    # a configured file that does not exist must not break blame either
    git(repo, "config", "blame.ignoreRevsFile", str(repo / "missing"))
    a = run(repo, "main..feature")
    assert ai_numbers(a, "a.py") == [1] and a.warnings == []


def test_worktree_review_inline_markers(repo: Path) -> None:
    head = ["import os", "import sys", "", "", "def f():"]
    commit_files(repo, {"a.py": lines(*head, "x", "y"), "gen.go": lines("package gen")}, "base")
    write(
        repo,
        {
            "a.py": lines(*head, "x", "# This block was generated by ChatGPT", "z = 1", "y"),
            "gen.go": lines("// Code generated by GitHub Copilot. DO NOT EDIT.", "package gen", "var X = 1"),
            "pb.go": lines("// Code generated by protoc-gen-go. @generated", "package pb"),
            "plain.py": lines("nothing", "to see"),
            "title.md": lines("# AI-generated code: a checklist", "text"),
        },
    )
    git(repo, "add", "plain.py", "title.md", "pb.go")
    a = run(repo, worktree=True)
    assert a.kind == "worktree" and a.all_commits == []
    assert ai_numbers(a, "a.py") == [7]
    assert "ChatGPT" in (a.reason("a.py", 7) or "")
    assert ai_numbers(a, "gen.go") == [1, 3]  # header marker: every added line of the file
    assert "file marked" in (a.reason("gen.go", 3) or "")
    assert ai_numbers(a, "plain.py") == []
    assert ai_numbers(a, "pb.go") == []  # "@generated" marks any generator's output, not AI
    assert ai_numbers(a, "title.md") == []  # prose (a README, docs) mentioning AI code is not a marker

    staged = run(repo, staged=True)
    assert ai_numbers(staged, "plain.py") == [] and "a.py" not in staged.files


def test_config_paths_and_patterns(repo: Path) -> None:
    commit_files(repo, {"base.txt": "b\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(
        repo,
        {
            ".signoff/config.toml": (
                '[ai]\npaths = ["gen/**"]\nmessage_patterns = ["^\\\\[bot\\\\]"]\n'
                'author_emails = ["*@robots.example.com"]\n'
            )
        },
        "config",
    )
    commit_files(repo, {"gen/x.py": lines("g1", "g2"), "src/y.py": "h\n"}, "human")
    commit_files(repo, {"z.py": "z\n"}, "[bot] tidy")
    commit_files(repo, {"w.py": "w\n"}, "robot", author="Robo <r2@robots.example.com>")
    a = run(repo, "main..feature")
    assert ai_numbers(a, "gen/x.py") == [1, 2]
    assert "gen/**" in (a.reason("gen/x.py", 1) or "")
    assert ai_numbers(a, "src/y.py") == []
    assert ai_numbers(a, "z.py") == [1] and ai_numbers(a, "w.py") == [1]


def test_bad_config_is_reported(repo: Path, capsys) -> None:
    commit_files(repo, {"a.py": "x\n", ".signoff/config.toml": '[ai]\nmessage_patterns = ["("]\n'}, "bad")
    commit_files(repo, {"a.py": "y\n"}, "change")
    assert main(["-C", str(repo), "scan", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert "[ai]" in err and "bad regex '('" in err and "RE2" in err


def test_scan_json_and_text_have_the_ai_section(mixed, capsys) -> None:
    r, shas = mixed
    assert main(["-C", str(r), "scan", "--format", "json", "main..feature"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ai = doc["ai"]
    assert ai["summary"]["ai"] == 6 and ai["summary"]["added"] == 12 and ai["summary"]["ai_commits"] == 4
    by_path = {f["path"]: f for f in ai["files"]}
    assert by_path["claude.py"]["lines"][0]["start"] == 1 and by_path["claude.py"]["lines"][0]["end"] == 1
    assert [(x["start"], x["end"]) for x in by_path["claude.py"]["lines"]] == [(1, 1), (3, 4)]
    assert {c["sha"] for c in ai["commits"]} == {shas["claude"], shas["bot"], shas["marker"], shas["aider"]}
    assert all(c["signals"] and c["signals"][0]["evidence"] for c in ai["commits"])
    assert main(["-C", str(r), "scan", "main..feature"]) == 0
    text = capsys.readouterr().out
    assert "AI: 6 of 12 added lines" in text
    assert main(["-C", str(r), "scan", "--no-ai", "--format", "json", "main..feature"]) == 0
    assert "ai" not in json.loads(capsys.readouterr().out)


def test_hostile_text_is_sanitised_in_text_output(repo: Path, capsys) -> None:
    commit_files(repo, {"a.py": "x\n"}, "base")
    commit_files(repo, {"a.py": "y\n"}, "\x1b[31mred\x1b[0m" + CLAUDE)
    commit_files(repo, {"b.py": "z\n"}, "human")
    assert main(["-C", str(repo), "scan", "HEAD~2..HEAD"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "AI: 1 of 2" in out


def _committer_only_repo(repo: Path, config: str | None) -> dict[str, str]:
    # the configuration comes from the base branch (a change cannot configure its own review)
    commit_files(repo, {"base.txt": "b\n", **({".signoff/config.toml": config} if config else {})}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, {"edit.py": lines("x = 1", "y = 2")})
    git(repo, "add", "-A")
    # aider commits the user's own dirty-file edits with its suffix on the committer only
    env = {"GIT_COMMITTER_NAME": "Jane Doe (aider)", "GIT_COMMITTER_EMAIL": "jane@example.org"}
    git(repo, "commit", "-q", "-m", "Update edit.py", env=env)
    return {"edit": git(repo, "rev-parse", "HEAD").strip()}


def test_committer_only_is_a_reported_weak_signal_by_default(repo: Path, capsys) -> None:
    shas = _committer_only_repo(repo, None)
    a = run(repo, "main..feature")
    assert ai_numbers(a, "edit.py") == [] and a.commits == []
    data = a.to_json()
    assert [c["sha"] for c in data["weak_commits"]] == [shas["edit"]]
    assert data["weak_commits"][0]["signals"][0]["rule"].startswith("committer only")
    assert main(["-C", str(repo), "scan", "main..feature", "--no-questions"]) == 0
    out = capsys.readouterr().out
    assert "weak signal" in out and "committer only" in out


def test_committer_only_confidence_is_configurable(repo: Path) -> None:
    _committer_only_repo(repo, '[ai]\ncommitter_only = "medium"\n')
    a = run(repo, "main..feature")
    assert ai_numbers(a, "edit.py") == [1, 2]
    assert "committer only" in (a.reason("edit.py", 1) or "")


def test_bad_committer_only_value_is_a_one_line_error(repo: Path, capsys) -> None:
    _committer_only_repo(repo, '[ai]\ncommitter_only = "exact"\n')
    assert main(["-C", str(repo), "scan", "main..feature"]) == 2
    err = capsys.readouterr().err.strip()
    assert "committer_only" in err and "\n" not in err
