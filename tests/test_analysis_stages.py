"""The staged analysis pipeline: each stage as soon as it is ready, the same end result as one pass."""

from __future__ import annotations

from pathlib import Path

from signoff.analysis import Stage, analyze, analyze_stages
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.provenance.attribution import attribute
from signoff.relevance.engine import evaluate
from tests.helpers import commit_files, git, make_repo


def _repo(tmp_path: Path) -> Path:
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"README.md": "hi\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(
        r, {"db.py": "def q(cur, uid):\n    cur.execute(f'SELECT * FROM t WHERE id = {uid}')\n"}, "sql"
    )
    commit_files(
        r,
        {"lib/helper.py": "import os\n\ndef run(x):\n    os.system('ls ' + x)\n"},
        "helper\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    )
    return r


def test_stages_come_in_order_and_end_where_one_pass_ends(tmp_path: Path) -> None:
    g = open_repo(_repo(tmp_path))
    target = resolve_target(g, "main..feature")
    events = list(analyze_stages(g, target))
    assert [e.stage for e in events] == [Stage.DIFF, Stage.QUESTIONS, Stage.AI, Stage.QUESTIONS_AI]
    assert [e.next for e in events] == [Stage.QUESTIONS, Stage.AI, Stage.QUESTIONS_AI, None]
    assert [(e.step, e.total) for e in events] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    first, after_ai = events[1].result.questions, events[3].result.questions
    # the AI-code questions fire only once the AI lines are known
    assert not any(h.trigger == "ai" for r in first.triggered for h in r.hits)
    assert any(h.trigger == "ai" for r in after_ai.triggered for h in r.hits)
    # adding the AI triggers equals evaluating with the AI lines from the start
    diff = events[0].result.diff
    direct = evaluate(g, diff, attribute(g, target, diff))
    assert after_ai.to_json() == direct.to_json()
    assert analyze(g, target).questions.to_json() == direct.to_json()


def test_no_ai_skips_attribution(tmp_path: Path) -> None:
    g = open_repo(_repo(tmp_path))
    events = list(analyze_stages(g, resolve_target(g, "main..feature"), ai=False))
    assert [e.stage for e in events] == [Stage.DIFF, Stage.QUESTIONS]
    assert events[-1].result.ai is None and events[-1].next is None


def _big_repo(tmp_path: Path) -> Path:
    """Five files of 300 added lines each, one SQL-from-input line in each: a diff big enough for a
    preview of the first files' questions."""
    r = make_repo(tmp_path / "big")
    commit_files(r, {"README.md": "hi\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    body = "".join(f"value_{n} = compute({n})\n" for n in range(299))
    files = {f"m{i}.py": body + f"cur.execute(f'SELECT * FROM t{i} WHERE id = {{uid}}')\n" for i in range(5)}
    commit_files(r, files, "five modules")
    return r


def test_on_a_big_diff_the_first_files_questions_come_first(tmp_path: Path) -> None:
    """``preview_lines``: the questions of the first files (those holding that many changed lines) come
    as a preview, equal to the full result's hits in those files; then the full set, equal to one pass."""
    g = open_repo(_big_repo(tmp_path))
    target = resolve_target(g, "main..feature")
    events = list(analyze_stages(g, target, ai=False, preview_lines=500))
    assert [e.stage for e in events] == [Stage.DIFF, Stage.QUESTIONS_FIRST, Stage.QUESTIONS]
    assert [(e.step, e.total) for e in events] == [(1, 3), (2, 3), (3, 3)]
    assert events[0].next is Stage.QUESTIONS_FIRST
    preview, full = events[1].result.questions, events[2].result.questions
    first = {f.path for f in events[0].result.diff.files[:2]}  # 300 + 300 lines >= 500

    def hits(rel: object, paths: set[str] | None = None) -> list[tuple[str, str, int]]:
        return sorted(
            (r.question.id, h.path, h.line)
            for r in rel.triggered  # type: ignore[attr-defined]
            for h in r.hits
            if paths is None or h.path in paths
        )

    assert hits(preview) and {p for _, p, _ in hits(preview)} <= first
    assert hits(preview) == hits(full, first)
    assert len(hits(full)) > len(hits(preview))
    assert full.to_json() == analyze(g, target, ai=False).questions.to_json()


def test_a_small_diff_has_no_preview_stage(tmp_path: Path) -> None:
    g = open_repo(_repo(tmp_path))
    events = list(analyze_stages(g, resolve_target(g, "main..feature"), ai=False, preview_lines=500))
    assert [e.stage for e in events] == [Stage.DIFF, Stage.QUESTIONS]
    assert events[0].next is Stage.QUESTIONS and events[0].total == 2
