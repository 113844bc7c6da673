"""SARIF findings in: real Bandit and zizmor output (tests/fixtures/findings) placed on a real change,
tied to checklist questions; bad SARIF gives one clear error naming the file, the scan goes on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from signoff.cli import main
from signoff.findings.sarif import FindingsError, load_sarif
from tests.helpers import commit_files, git

FIXTURES = Path(__file__).parent / "fixtures" / "findings"
SHOP = FIXTURES / "shop"
BANDIT = FIXTURES / "bandit.sarif"
ZIZMOR = FIXTURES / "zizmor.sarif"


def _shop_files() -> dict[str, str]:
    return {
        str(p.relative_to(SHOP)): p.read_text()
        for p in SHOP.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }


@pytest.fixture
def shop(repo: Path) -> Path:
    """Base: settings.py as in the fixture, tasks.py with a list-argv archive call. The feature branch
    brings the fixture's db.py, the shell=True archive call (line 11) and the CI workflow."""
    files = _shop_files()
    tasks = files["app/tasks.py"].splitlines(keepends=True)
    assert "shell=True" in tasks[10]
    argv_call = '    subprocess.run(["tar", "czf", f"/r/{name}.tgz"], check=True)\n'
    base_tasks = [*tasks[:10], argv_call, *tasks[11:]]
    commit_files(
        repo, {"app/settings.py": files["app/settings.py"], "app/tasks.py": "".join(base_tasks)}, "base"
    )
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, files, "orders search, report archive, CI")
    return repo


def _scan(repo: Path, *extra: str) -> tuple[int, dict]:
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["-C", str(repo), "scan", "main..feature", "--format", "json", "--no-ai", *extra])
    return code, json.loads(buf.getvalue())


def test_real_bandit_and_zizmor_findings_sit_on_the_diff_under_their_questions(shop: Path) -> None:
    code, doc = _scan(shop, "--findings", str(BANDIT), "--findings", str(ZIZMOR))
    assert code == 0
    items = {(f["tool"], f["rule"], f["path"], f["line"]): f for f in doc["findings"]["items"]}
    b608 = items[("Bandit", "B608", "app/db.py", 12)]
    assert b608["changed"] and b608["question"] == "db.parameterized-queries" and "CWE-89" in b608["cwe"]
    b602 = items[("Bandit", "B602", "app/tasks.py", 11)]
    assert b602["changed"] and b602["question"] == "code.command-injection"
    # unchanged lines of a changed file are shown, flagged as such
    for rule, line in (("B301", 15), ("B501", 19), ("B324", 23), ("B403", 4)):
        assert items[("Bandit", rule, "app/tasks.py", line)]["changed"] is False
    assert items[("Bandit", "B501", "app/tasks.py", 19)]["question"] == "code.tls-verification"
    # settings.py is not part of the change: its B105 is counted, not shown
    assert not any(f["path"] == "app/settings.py" for f in doc["findings"]["items"])
    assert doc["findings"]["outside_change"] == 1
    wf = ".github/workflows/ci.yml"
    assert items[("zizmor", "zizmor/template-injection", wf, 15)]["question"] == "ci.script-injection"
    assert items[("zizmor", "zizmor/dangerous-triggers", wf, 3)]["question"] == "ci.untrusted-checkout"
    assert items[("zizmor", "zizmor/unpinned-uses", wf, 13)]["question"] == "ci.pinned-actions"
    assert items[("zizmor", "zizmor/artipacked", wf, 10)]["question"] == "ci.secrets-exposure"
    # the walk-through: each finding is a hit of its question, first in the list
    questions = {q["id"]: q for q in doc["questions"]["triggered"]}
    sql_hits = questions["db.parameterized-queries"]["hits"]
    assert sql_hits[0]["trigger"] == "finding" and sql_hits[0]["pattern"] == "bandit:B608"
    # tool, rule, level and message on the hit the walk-through shows; unchanged lines say so
    assert sql_hits[0]["text"].startswith("Bandit B608 (warning): Possible SQL injection")
    pickle = next(h for h in questions["code.unsafe-deserialization"]["hits"] if h["line"] == 15)
    assert pickle["text"].startswith("Bandit B301 (warning, unchanged line): ")
    assert sql_hits[0]["path"] == "app/db.py" and sql_hits[0]["line"] == 12
    assert "finding" in questions["code.tls-verification"]["reasons"]


def test_text_output_names_tool_rule_and_line(shop: Path, capsys) -> None:
    assert main(["-C", str(shop), "scan", "main..feature", "--no-ai", "--findings", str(BANDIT)]) == 0
    out = capsys.readouterr().out
    assert "Bandit B608 app/db.py:12 -> db.parameterized-queries" in out
    assert "app/tasks.py:15 (unchanged line)" in out


def _on_base(repo: Path, files: dict[str, str | bytes | None]) -> None:
    """Commit ``files`` on main (the target branch, where settings come from) under the feature branch."""
    git(repo, "checkout", "-q", "main")
    commit_files(repo, files, "settings")
    git(repo, "checkout", "-q", "feature")
    git(repo, "rebase", "-q", "main")


def test_config_lists_sarif_files(shop: Path) -> None:
    shutil.copy(ZIZMOR, shop / "zizmor.sarif")
    _on_base(shop, {".signoff/config.toml": '[findings]\nsarif = ["zizmor.sarif"]\n'})
    code, doc = _scan(shop)
    assert code == 0 and {f["tool"] for f in doc["findings"]["items"]} == {"zizmor"}


def test_repo_map_overrides_the_shipped_mapping(shop: Path) -> None:
    _on_base(shop, {".signoff/findings-map.toml": '[rules]\n"bandit:B608" = "input.validate"\n'})
    _, doc = _scan(shop, "--findings", str(BANDIT))
    b608 = next(f for f in doc["findings"]["items"] if f["rule"] == "B608")
    assert b608["question"] == "input.validate"


def _mutated(tmp_path: Path, change) -> Path:
    data = json.loads(BANDIT.read_text())
    change(data)
    out = tmp_path / "bad.sarif"
    out.write_text(json.dumps(data))
    return out


def _set_uri(uri: str):
    def change(d: dict) -> None:
        d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = uri

    return change


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_text("{not json"), "not valid JSON"),
        (lambda p: p.write_bytes(BANDIT.read_text().encode("utf-16")), "UTF-16"),
        (lambda p: p.write_bytes(b'{"version": "2.1.0", "runs": [\xff]}'), "not UTF-8"),
        (lambda p: p.write_text("[" * 100_000 + "]" * 100_000), "nested too deeply"),
        (lambda p: p.write_text('{"version": "2.0.0", "runs": []}'), "version '2.0.0' is not supported"),
        (lambda p: p.write_text('{"version": "2.1.0", "runs": {}}'), "runs: expected an array"),
        (lambda p: p.write_text('{"version": "2.1.0", "runs": [{"tool": 3}]}'), "runs[0].tool: expected"),
    ],
)
def test_bad_sarif_is_one_clear_error_and_the_scan_goes_on(shop: Path, tmp_path: Path, make, problem, capsys):
    bad = tmp_path / "bad.sarif"
    make(bad)
    code = main(["-C", str(shop), "scan", "main..feature", "--no-ai", "--findings", str(bad),
                 "--findings", str(ZIZMOR)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    assert f"{bad}: " in err and problem in err and "Traceback" not in err
    assert "zizmor/template-injection" in out  # the other file's findings and the rest of the scan


@pytest.mark.parametrize(
    "uri", ["../../etc/passwd", "file:///etc/passwd", "/etc/passwd", "https://x.example/a.py"]
)
def test_locations_outside_the_repository_are_refused(shop: Path, tmp_path: Path, uri: str, capsys) -> None:
    bad = _mutated(tmp_path, _set_uri(uri))
    code = main(["-C", str(shop), "scan", "main..feature", "--no-ai", "--findings", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and "runs[0].results[0]: location" in err and "outside the repository" in err


def test_absolute_file_uri_inside_the_repository_is_accepted(shop: Path, tmp_path: Path) -> None:
    good = _mutated(tmp_path, _set_uri((shop / "app" / "db.py").resolve().as_uri()))
    code, doc = _scan(shop, "--findings", str(good))
    assert code == 0 and any(
        f["path"] == "app/db.py" and f["rule"] == "B608" for f in doc["findings"]["items"]
    )


def test_size_limit(tmp_path: Path) -> None:
    with pytest.raises(FindingsError, match="larger than the 1000-byte limit"):
        load_sarif(BANDIT, tmp_path, max_bytes=1000)


def test_config_path_outside_the_repository_is_refused(shop: Path, tmp_path: Path, capsys) -> None:
    shutil.copy(BANDIT, tmp_path / "outside.sarif")
    _on_base(shop, {".signoff/config.toml": '[findings]\nsarif = ["../outside.sarif"]\n'})
    assert main(["-C", str(shop), "scan", "main..feature", "--no-ai"]) == 2
    assert "outside the repository" in capsys.readouterr().err


def test_repository_text_in_sarif_is_made_visible(shop: Path, tmp_path: Path, capsys) -> None:
    def change(d: dict) -> None:
        d["runs"][0]["results"][0]["message"]["text"] = "evil \x1b[2J\u202e text"

    bad = _mutated(tmp_path, change)
    assert main(["-C", str(shop), "scan", "main..feature", "--no-ai", "--findings", str(bad)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "<ESC>" in out


def test_every_question_the_shipped_map_and_the_eval_labels_name_exists() -> None:
    """A typo in findings_map.toml would silently send findings to no question; the eval's labels
    (bench/findings_eval.toml) must name real questions too."""
    import tomllib

    from signoff.checklists.load import load_builtin

    checklists, problems = load_builtin()
    assert not problems
    known = {q.id for c in checklists for q in c.questions}
    root = Path(__file__).resolve().parents[1]
    shipped = tomllib.loads((root / "src" / "signoff" / "data" / "findings_map.toml").read_text())
    named = {
        shipped["default"],
        *shipped["rules"].values(),
        *shipped["cwe"].values(),
        *shipped["tags"].values(),
    }
    labels = tomllib.loads((root / "bench" / "findings_eval.toml").read_text())["labels"]
    named |= {q for table in labels.values() for accepted in table.values() for q in accepted}
    assert named - known == set()
    # measured on held-out workflows (bench/eval_findings.py): these zizmor audits go to pinning
    for audit in ("self-repository", "superfluous-actions", "unpinned-uses"):
        assert shipped["rules"][f"zizmor:zizmor/{audit}"] == "ci.pinned-actions"


def _sarif_of(tool: str, rule: dict, uri: str, line: int, **result) -> dict:
    res = {"ruleId": rule["id"], "ruleIndex": 0, "message": {"text": f"{tool} says so"}, **result}
    res["locations"] = [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": line},
            }
        }
    ]
    return {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": tool, "rules": [rule]}}, "results": [res]}],
    }


#: Other producers, in the shape their SARIF takes (rule ids, tag and CWE conventions from their own
#: documentation; written for this test, not captured from a run): none has a rule table in the map.
OTHER_PRODUCERS = [
    # CodeQL: zero-padded CWE tags
    ("CodeQL", {"id": "py/sql-injection", "properties": {"tags": ["security", "external/cwe/cwe-089"]}},
     "app/db.py", 12, "db.parameterized-queries"),
    # Semgrep: "CWE-89: Improper Neutralization ..." tags
    ("Semgrep OSS", {"id": "python.lang.security.audit.formatted-sql-query.formatted-sql-query",
                     "properties": {"tags": ["CWE-89: Improper Neutralization of Special Elements used in an "
                                             "SQL Command ('SQL Injection')", "OWASP-A03:2021 - Injection"]}},
     "app/db.py", 12, "db.parameterized-queries"),
    # gitleaks: no CWE, every rule a leaked credential ("gitleaks:*")
    ("gitleaks", {"id": "generic-api-key"}, "app/settings.py", 6, "secrets.hardcoded"),
    # Trivy: a CVE id as the rule
    ("Trivy", {"id": "CVE-2024-3651", "properties": {"tags": ["vulnerability", "security", "HIGH"]}},
     "requirements.txt", 1, "deps.scanning"),
    # an unknown producer with a CWE only in properties.cwe
    ("acme-sast", {"id": "X1", "properties": {"cwe": ["CWE-502"]}}, "app/tasks.py", 15,
     "code.unsafe-deserialization"),
    # and with nothing to go by: the default question
    ("acme-lint", {"id": "style-7"}, "app/tasks.py", 11, "code.static-analysis"),
]  # fmt: skip


@pytest.mark.parametrize(("tool", "rule", "uri", "line", "question"), OTHER_PRODUCERS)
def test_other_producers_are_placed_under_their_question(
    shop: Path, tmp_path: Path, tool: str, rule: dict, uri: str, line: int, question: str
) -> None:
    git(shop, "checkout", "-q", "feature")
    commit_files(shop, {"requirements.txt": "idna==3.6\n", "app/settings.py": "SECRET_KEY = 'x'\n" * 7})
    sarif = tmp_path / "other.sarif"
    sarif.write_text(json.dumps(_sarif_of(tool, rule, uri, line)))
    code, doc = _scan(shop, "--findings", str(sarif))
    assert code == 0 and doc["findings"]["errors"] == []
    (item,) = doc["findings"]["items"]
    assert (item["tool"], item["path"], item["line"], item["question"]) == (tool, uri, line, question)
