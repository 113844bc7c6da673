"""Open line-level formats (Agent Trace, whogitit) on real repositories, and hostile notes."""

from __future__ import annotations

import json
from pathlib import Path

from signoff.cli import main
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.provenance.attribution import Attribution, attribute
from tests.helpers import commit_files, git, make_repo

BIG = 10**12


def lines(*items: str) -> str:
    return "".join(f"{x}\n" for x in items)


def run(repo: Path, rev: str = "main..feature") -> Attribution:
    g = open_repo(repo)
    target = resolve_target(g, rev)
    return attribute(g, target, load_diff(g, target))


def ai_numbers(a: Attribution, path: str) -> list[int]:
    fa = a.files.get(path)
    return sorted(fa.ai_lines) if fa else []


def trace_record(path: str, start: int, end: int, revision: str = "", kind: str = "ai") -> dict:
    rec = {
        "version": "0.1.0",
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2026-01-23T14:30:00Z",
        "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [
            {
                "path": path,
                "conversations": [
                    {
                        "url": "https://api.example.com/v1/conversations/1",
                        "contributor": {"type": kind, "model_id": "anthropic/claude-opus-4-5-20251101"},
                        "ranges": [{"start_line": start, "end_line": end}],
                    }
                ],
            }
        ],
    }
    if revision:
        rec["vcs"] = {"type": "git", "revision": revision}
    return rec


def feature(tmp_path: Path) -> Path:
    r = make_repo(tmp_path / "r")
    commit_files(r, {"base.txt": "b\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    return r


def test_agent_trace_notes_mark_exact_lines_through_later_commits(tmp_path: Path) -> None:
    r = feature(tmp_path)
    c1 = commit_files(r, {"app.py": lines("h1", "ai1", "ai2", "h2")}, "work (no trailer)")
    git(r, "notes", "--ref=agent-trace", "add", "-m", json.dumps([trace_record("app.py", 2, 3)]), c1)
    commit_files(r, {"app.py": lines("new", "h1", "ai1", "ai2", "h2")}, "human prepend")
    a = run(r)
    assert ai_numbers(a, "app.py") == [3, 4]
    reason = a.reason("app.py", 3) or ""
    assert "Agent Trace: cursor / anthropic/claude-opus-4-5-20251101" in reason and c1[:12] in reason
    sig = a.commit(c1).signals[0]
    assert (sig.kind, sig.confidence) == ("line-notes", "exact")
    assert a.warnings == []


def test_agent_trace_human_ranges_do_not_count(tmp_path: Path) -> None:
    r = feature(tmp_path)
    c1 = commit_files(r, {"app.py": lines("a", "b")}, "work")
    commit_files(r, {"other.py": "x\n"}, "human")
    rec = trace_record("app.py", 1, 2, kind="human")
    git(r, "notes", "--ref=agent-trace", "add", "-m", json.dumps(rec), c1)
    assert run(r).ai == 0


def test_traces_jsonl_from_the_reference_hook(tmp_path: Path) -> None:
    """The hook records HEAD *before* the edit is committed: the ranges belong to its child commit."""
    r = feature(tmp_path)
    before = git(r, "rev-parse", "HEAD").strip()
    rec = json.dumps(trace_record("gen.py", 2, 2, revision=before))
    commit_files(r, {"gen.py": lines("x", "y", "z"), ".agent-trace/traces.jsonl": rec + "\n"}, "edit")
    commit_files(r, {"more.py": "m\n"}, "human")
    a = run(r)
    assert ai_numbers(a, "gen.py") == [2]
    assert "Agent Trace: cursor" in (a.reason("gen.py", 2) or "")


def test_whogitit_notes(tmp_path: Path) -> None:
    r = feature(tmp_path)
    c1 = commit_files(r, {"auth.rs": lines("use x;", "fn a() {}", "fn b() {}")}, "auth")
    commit_files(r, {"z.rs": "z\n"}, "human")
    doc = {
        "version": 3,
        "session": {"session_id": "s", "model": {"id": "claude-opus-4-5-20251101", "provider": "anthropic"}},
        "prompts": [],
        "files": [
            {
                "path": "auth.rs",
                "lines": [
                    {"line_number": 1, "content": "use x;", "source": {"type": "Original"}},
                    {"line_number": 2, "content": "fn a() {}", "source": {"type": "AI", "edit_id": "e"}},
                    {"line_number": 3, "source": {"type": "AIModified", "edit_id": "e", "similarity": 0.8}},
                ],
            }
        ],
    }
    git(r, "notes", "--ref=whogitit", "add", "-m", json.dumps(doc), c1)
    a = run(r)
    assert ai_numbers(a, "auth.rs") == [2, 3]
    assert "whogitit: claude-opus-4-5-20251101" in (a.reason("auth.rs", 2) or "")


def test_notes_only_add_lines_to_a_commit_with_signals(tmp_path: Path) -> None:
    r = feature(tmp_path)
    c1 = commit_files(
        r, {"a.py": lines("1", "2", "3")}, "ai\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
    )
    git(r, "notes", "--ref=agent-trace", "add", "-m", json.dumps(trace_record("a.py", 1, 1)), c1)
    commit_files(r, {"b.py": "b\n"}, "human")
    a = run(r)
    assert ai_numbers(a, "a.py") == [1, 2, 3]  # a note claiming one line cannot hide the others
    assert "Agent Trace" in (a.reason("a.py", 1) or "") and "Claude" in (a.reason("a.py", 2) or "")


def test_hostile_notes_are_warnings_not_crashes(tmp_path: Path, capsys) -> None:
    r = feature(tmp_path)
    shas = []
    bodies = [
        "not json {",
        "[" * 100_000 + "]" * 100_000,  # nesting deep enough to break a recursive parser
        json.dumps({"version": "0.1.0", "files": "nope"}),
        json.dumps(
            [trace_record("a.py", 5, 2), trace_record("a.py", -1, 3), trace_record("a.py", 1, 10**12)]
        ),
        json.dumps({"version": 3, "files": [{"path": "a.py", "lines": [{"line_number": "1"}]}]}),
    ]
    for i, body in enumerate(bodies):
        shas.append(commit_files(r, {f"f{i}.py": "x\n"}, f"c{i}"))
        ref = "whogitit" if i == 4 else "agent-trace"
        (tmp_path / f"note{i}").write_text(body)
        git(r, "notes", f"--ref={ref}", "add", "-F", str(tmp_path / f"note{i}"), shas[-1])
    big = commit_files(r, {"big.py": "x\n"}, "big")
    (tmp_path / "big.json").write_text(json.dumps([trace_record("big.py", 1, 1)] * 40_000))
    git(r, "notes", "--ref=agent-trace", "add", "-F", str(tmp_path / "big.json"), big)
    a = run(r)
    assert a.ai == 0
    text = " | ".join(a.warnings)
    assert "not valid JSON (2x)" in text and "not an Agent Trace record" in text and "bad range (3x)" in text
    assert "over 4 MiB" in text and "whogitit: bad line entry" in text
    assert main(["-C", str(r), "scan", "main..feature"]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "warning:" in out.out
