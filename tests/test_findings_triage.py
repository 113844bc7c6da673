"""Triage of real Bandit/zizmor findings in a headless review: signed into the record's [[findings]];
``audit`` reports findings on merged code nobody triaged, and maps its evidence to compliance controls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signoff.cli import main
from signoff.records.codec import load
from signoff.records.store import list_records
from tests.helpers import git, write
from tests.sigkeys import SshKeys, allowed_line
from tests.test_findings import BANDIT, ZIZMOR, shop  # noqa: F401  (the fixture)

B608 = "bandit:B608@app/db.py:12"
B602 = "bandit:B602@app/tasks.py:11"
ANSWERS = f"""\
verdict = "approve"
summary = "Orders search and archive job; findings triaged."

[findings."{B608}"]
triage = "true-positive"
note = "fixed in a follow-up: bound parameters"

[findings."{B602}"]
triage = "accepted-risk"
note = "name comes from our own scheduler, never from users"
"""


@pytest.fixture
def signed(shop: Path, ssh_keys: SshKeys):  # noqa: F811
    git(shop, "config", "--global", "user.email", "alice@example.com")
    write(shop, {".signoff/allowed_signers": allowed_line(ssh_keys["ed25519"])})
    return shop, str(ssh_keys["ed25519"].path)


def _review(repo: Path, key: str, answers: str, *extra: str) -> int:
    (repo.parent / "answers.toml").write_text(answers)
    return main(["-C", str(repo), "review", "main..feature", "--answers", str(repo.parent / "answers.toml"),
                 "--key", key, "--findings", str(BANDIT), "--findings", str(ZIZMOR), *extra])  # fmt: skip


def test_triage_is_signed_into_the_record(signed, capsys) -> None:
    repo, key = signed
    assert _review(repo, key, ANSWERS) == 0
    path = repo / capsys.readouterr().out.strip()
    record = load(path)
    assert record.schema == "signoff.review/2" and record.findings
    by_id = {f.id: f for f in record.findings}
    assert by_id[B608].triage == "true-positive" and by_id[B608].question == "db.parameterized-queries"
    assert by_id[B602].triage == "accepted-risk" and "scheduler" in by_id[B602].note
    assert by_id["zizmor:zizmor/template-injection@.github/workflows/ci.yml:15"].triage == "untriaged"
    assert by_id["bandit:B501@app/tasks.py:19"].changed is False
    assert main(["-C", str(repo), "verify", str(path)]) == 0
    # the triage is signed: changing a judgement breaks the signature
    path.write_text(path.read_text().replace('triage = "accepted-risk"', 'triage = "false-positive"'))
    assert main(["-C", str(repo), "verify", str(path)]) == 1
    assert "bad-signature" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (ANSWERS.replace('note = "name comes from our own scheduler, never from users"', 'note = ""'),
         "accepted-risk judgement needs a note"),
        (ANSWERS.replace('triage = "true-positive"', 'triage = "meh"'), ".triage: expected one of"),
        (ANSWERS + '\n[findings."bandit:B999@x.py:1"]\ntriage = "true-positive"\n', "unknown finding id"),
        (ANSWERS.replace('triage = "true-positive"', 'triage = "true-positive"\nsev = 1'), "unknown field"),
    ],
)  # fmt: skip
def test_bad_triage_writes_nothing(signed, capsys, answers: str, message: str) -> None:
    repo, key = signed
    assert _review(repo, key, answers) == 2
    assert message in capsys.readouterr().err
    assert list_records(repo) == []


def test_bad_sarif_in_a_headless_review_writes_nothing(signed, tmp_path: Path, capsys) -> None:
    repo, key = signed
    bad = tmp_path / "bad.sarif"
    bad.write_text("{")
    assert _review(repo, key, ANSWERS, "--findings", str(bad)) == 2
    err = capsys.readouterr().err
    assert f"{bad}: not valid JSON" in err and "nothing was signed" in err
    assert list_records(repo) == []


def _audit(repo: Path, *extra: str) -> tuple[int, dict]:
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["-C", str(repo), "audit", "--no-ai", "--format", "json", *extra])
    return code, json.loads(buf.getvalue())


def test_audit_reports_untriaged_findings_on_merged_code(signed, capsys) -> None:
    repo, key = signed
    assert _review(repo, key, ANSWERS) == 0
    capsys.readouterr()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "review record")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "feature")
    code, doc = _audit(repo)
    assert code == 1
    open_ids = {(f["tool"], f["rule"], f["line"]) for f in doc["findings"]["untriaged"]}
    assert ("zizmor", "zizmor/template-injection", 15) in open_ids and ("Bandit", "B501", 19) in open_ids
    assert ("Bandit", "B608", 12) not in open_ids and ("Bandit", "B602", 11) not in open_ids
    assert doc["findings"]["triaged"] == {"true-positive": 1, "accepted-risk": 1}
    assert any("nobody triaged" in p for p in doc["problems"])
    # the scanner's output for the tip: settings.py (never reviewed) has B105; the triaged ones stay closed
    _, tip = _audit(repo, "--findings", str(BANDIT))
    from_tip = {(f["rule"], f["path"]) for f in tip["findings"]["untriaged"] if not f["record"]}
    assert ("B105", "app/settings.py") in from_tip
    assert not any(f["rule"] in ("B608", "B602") for f in tip["findings"]["untriaged"])
    # compliance: per control, what is shown, the period, the exceptions
    controls = {c["control"]: c for c in tip["compliance"]}
    assert set(controls) >= {"CC8.1", "A.8.25", "A.8.28", "A.8.32", "PW.7", "6.2.3", "6.2.4"}
    pw7 = controls["PW.7"]
    assert pw7["exceptions"]["findings_untriaged"]["value"] == len(tip["findings"]["untriaged"])
    assert pw7["evidence"]["findings_triaged"]["value"] == 2
    assert pw7["period"]["from"] == "2026-01-02" and pw7["source"].startswith("NIST SP 800-218")
    assert controls["CC8.1"]["evidence"]["approved_commits"]["value"] >= 1
    assert main(["-C", str(repo), "audit", "--no-ai", "--format", "markdown", "--findings", str(BANDIT)]) == 1
    md = capsys.readouterr().out
    assert "## Scanner findings nobody triaged" in md and "## Compliance mapping" in md
    assert "| SOC 2 | CC8.1 Change management |" in md and "PCI DSS v4.0.1 \\(June 2024\\)" in md
