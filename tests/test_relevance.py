"""Relevance engine, scan output (text/JSON/SARIF) and the checklists command, on real repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signoff.checklists.load import load_checklists
from signoff.cli.main import main
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.output.sarif import sarif_document
from signoff.relevance.engine import evaluate, relevant_questions
from signoff.relevance.model import Relevance
from tests.helpers import commit_files, git, make_repo

APP_BEFORE = """\
import os


@app.route("/admin")
@login_required
def admin():
    return render()
"""

APP_AFTER = """\
import os


@app.route("/admin")
def admin():
    cur.execute(f"SELECT * FROM t WHERE id = {uid}")
    os.system("ls " + d)
    return render()
"""


def _diff(repo: Path, rev: str = "HEAD~1..HEAD"):
    g = open_repo(repo)
    return g, load_diff(g, resolve_target(g, rev))


@pytest.fixture
def changed(tmp_path: Path) -> Path:
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"web/app.py": APP_BEFORE, "Dockerfile": "FROM python:3.12\nUSER app\n"}, "base")
    commit_files(
        r,
        {"web/app.py": APP_AFTER, "Dockerfile": "FROM python:3.12\n", "notes.md": "hello\n"},
        "change",
    )
    return r


def test_hits_have_line_numbers_and_triggers(changed: Path) -> None:
    _, diff = _diff(changed)
    rel = relevant_questions(diff)
    sql = rel.result("db.parameterized-queries")
    assert sql is not None and sql.triggered
    assert [(h.path, h.line, h.side, h.trigger) for h in sql.hits] == [("web/app.py", 6, "new", "added")]
    assert sql.hits[0].text.startswith('cur.execute(f"SELECT')
    cmd = rel.result("code.command-injection")
    assert cmd is not None and cmd.hits[0].line == 7 and cmd.hits[0].match == "os.system("
    # Removal triggers report the OLD line number, and where the removal sits on the new side.
    authz = rel.result("auth.authz-check-removed")
    assert authz is not None and authz.reasons == ["removed"]
    (h,) = authz.hits
    assert (h.path, h.line, h.side, h.new_line) == ("web/app.py", 5, "old", 5)
    root = rel.result("container.non-root")
    assert root is not None and root.hits[0].path == "Dockerfile" and root.hits[0].line == 2
    assert root.hits[0].side == "old"


def test_ordering_and_untriggered(changed: Path) -> None:
    _, diff = _diff(changed)
    rel = relevant_questions(diff)
    ranks = [r.question.rank for r in rel.triggered]
    assert ranks == sorted(ranks)
    assert rel.triggered[0].severity == "critical"
    ids = rel.triggered_ids()
    assert "code.security-review" in ids  # always
    assert rel.result("cloud.network-exposure") in rel.untriggered
    total = len(rel.triggered) + len(rel.untriggered)
    assert total == len(load_checklists().questions)


def test_safe_change_triggers_only_generic_questions(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"README.md": "a\n"}, "base")
    commit_files(r, {"README.md": "a\nb\n", "src/util.py": "def add(a, b):\n    return a + b\n"}, "c")
    _, diff = _diff(r)
    assert relevant_questions(diff).triggered_ids() == ["code.security-review"]


def test_hit_cap_keeps_count(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"a.txt": "x\n"}, "base")
    body = "".join(f"r{i} = eval(x{i})\n" for i in range(50))
    commit_files(r, {"calc.py": body}, "c")
    _, diff = _diff(r)
    res = relevant_questions(diff, max_hits_per_file=5).result("code.dynamic-code-execution")
    assert res is not None and res.hit_count == 50 and len(res.hits) == 5
    assert [h.line for h in res.hits] == [1, 2, 3, 4, 5]


def test_language_scoping(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"a.txt": "x\n"}, "base")
    # os.system in a Python file triggers; the same text in Markdown does not (python-only pattern).
    commit_files(r, {"doc.md": 'os.system("x")\n', "run.py": 'os.system("x")\n'}, "c")
    _, diff = _diff(r)
    res = relevant_questions(diff).result("code.command-injection")
    assert res is not None and {h.path for h in res.hits} == {"run.py"}


def test_secrets_are_redacted(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"a.txt": "x\n"}, "base")
    commit_files(r, {"k.py": 'KEY = "AKIAIOSFODNN7EXAMPLE"\n'}, "c")
    _, diff = _diff(r)
    res = relevant_questions(diff).result("secrets.hardcoded")
    assert res is not None and res.hits
    blob = json.dumps(res.to_json())
    assert "IOSFODNN7EXAMPLE" not in blob and "[redacted]" in blob


def test_ai_attribution_forms(changed: Path) -> None:
    _, diff = _diff(changed)
    for ai in ({"web/app.py": {6, 7}}, {("web/app.py", 6), ("web/app.py", 7)}, lambda p, n: n in (6, 7)):
        res = relevant_questions(diff, ai).result("ai.manual-review")
        assert res is not None and res.reasons == ["ai"]
        assert [(h.path, h.line, h.text) for h in res.hits] == [("web/app.py", 6, "AI-attributed lines 6-7")]
    assert relevant_questions(diff).result("ai.manual-review").triggered is False  # type: ignore[union-attr]


def test_trojan_source_in_added_code(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"a.txt": "x\n"}, "base")
    commit_files(r, {"a.txt": "x\n", "b.js": "ok();\nlet a = 'x\u202e';\n"}, "c")
    _, diff = _diff(r)
    res = relevant_questions(diff).result("code.trojan-source")
    assert res is not None and [h.line for h in res.hits] == [2]
    text = "\n".join(relevant_questions(diff).text_lines())
    assert "\u202e" not in text and "<RLO>" in text


def test_repo_override_applies_through_evaluate(changed: Path) -> None:
    d = changed / ".signoff" / "checklists"
    d.mkdir(parents=True)
    (d / "x.toml").write_text(
        'id = "code-security"\n[[questions]]\nid = "code.command-injection"\nseverity = "low"\n'
    )
    g, diff = _diff(changed)
    rel = evaluate(g, diff)
    res = rel.result("code.command-injection")
    assert res is not None and res.severity == "low" and res.triggered
    assert rel.triggered[-1].severity == "low"


def _sarif_ok(doc: dict) -> None:
    assert doc["version"] == "2.1.0" and "sarif" in doc["$schema"]
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert (
        driver["name"] == "signoff" and driver["version"] and driver["informationUri"].startswith("https://")
    )
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        assert float(rule["properties"]["security-severity"]) > 0
        assert "security" in rule["properties"]["tags"]
    for res in run["results"]:
        assert res["ruleId"] in rule_ids and driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note") and res["message"]["text"]
        (loc,) = res["locations"]
        phys = loc["physicalLocation"]
        assert not phys["artifactLocation"]["uri"].startswith("/")
        assert phys["region"]["startLine"] >= 1
        assert res["partialFingerprints"]


def test_sarif_structure(changed: Path) -> None:
    _, diff = _diff(changed)
    doc = sarif_document(relevant_questions(diff))
    _sarif_ok(doc)
    results = doc["runs"][0]["results"]
    sql = [r for r in results if r["ruleId"] == "db.parameterized-queries"]
    assert sql and sql[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert sql[0]["level"] == "error"
    cwe = next(r for r in doc["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "db.parameterized-queries")
    assert "external/cwe/cwe-89" in cwe["properties"]["tags"]


def test_scan_cli_formats(changed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(changed), "scan", "HEAD~1..HEAD", "--no-ai", "--format", "sarif"]) == 0
    _sarif_ok(json.loads(capsys.readouterr().out))
    assert main(["-C", str(changed), "scan", "HEAD~1..HEAD", "--no-ai", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    trig = {q["id"]: q for q in doc["questions"]["triggered"]}
    assert trig["db.parameterized-queries"]["hits"][0]["line"] == 6
    assert "cloud.network-exposure" in doc["questions"]["not_triggered"]
    assert {c["id"] for c in doc["questions"]["checklists"]} >= {"database", "secrets"}
    assert main(["-C", str(changed), "scan", "HEAD~1..HEAD", "--no-ai"]) == 0
    out = capsys.readouterr().out
    assert "[CRITICAL] db.parameterized-queries" in out and "web/app.py:6" in out
    assert (
        main(
            [
                "-C",
                str(changed),
                "scan",
                "HEAD~1..HEAD",
                "--no-ai",
                "--checklist",
                "release",
                "--format",
                "json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert "release.pre.security-testing" in {q["id"] for q in doc["questions"]["triggered"]}
    assert main(["-C", str(changed), "scan", "HEAD~1..HEAD", "--no-ai", "--checklist", "bogus"]) == 2
    assert "unknown checklist 'bogus'" in capsys.readouterr().err


def test_checklists_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = make_repo(tmp_path / "repo")
    assert main(["-C", str(r), "checklists", "list"]) == 0
    out = capsys.readouterr().out
    assert "database" in out and "release" not in out.split("opt-in")[0]
    assert main(["-C", str(r), "checklists", "list", "--all"]) == 0
    assert "release" in capsys.readouterr().out
    assert main(["-C", str(r), "checklists", "show", "db.parameterized-queries"]) == 0
    out = capsys.readouterr().out
    assert "CWE-89" in out and "added:" in out
    assert main(["-C", str(r), "checklists", "show", "containers"]) == 0
    assert "container.non-root" in capsys.readouterr().out
    assert main(["-C", str(r), "checklists", "show", "nope.nope"]) == 2
    assert "no checklist or question" in capsys.readouterr().err


def test_lint_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shipped = Path(__file__).resolve().parents[1] / "checklists"
    assert main(["checklists", "lint", str(shipped)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\ntitle = "T"\nversion = "1"\ndescription = "d"\n'
                   'source = [{document = "D", section = "S"}]\n'
                   '[[questions]]\nid = "x.a"\ntext = "t"\nguidance = "g"\nseverity = "high"\nbogus = 1\n'
                   '[questions.triggers]\nadded = ["(oops"]\n'
                   '[[questions]]\nid = "x.a"\ntext = "t"\nguidance = "g"\nseverity = "meh"\n')  # fmt: skip
    syntax = tmp_path / "syntax.toml"
    syntax.write_text('id = "y"\n[[questions]\n')
    assert main(["checklists", "lint", str(bad), str(syntax)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:11: question 'x.a': unknown key 'bogus'" in out
    assert "bad regex '(oops'" in out
    assert "duplicate question id 'x.a'" in out
    assert f"{syntax}:2:" in out and "TOML syntax error" in out
    assert "Traceback" not in out


def test_git_history_unaffected(changed: Path) -> None:
    # evaluate() reads overrides from the work tree only; it never writes.
    before = git(changed, "status", "--porcelain")
    g, diff = _diff(changed)
    assert isinstance(evaluate(g, diff), Relevance)
    assert git(changed, "status", "--porcelain") == before
