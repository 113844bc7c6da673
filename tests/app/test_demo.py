"""``signoff demo``: the throwaway repository's change triggers the SQL, secret and CI questions with AI
lines marked; the review runs in Pilot, is finished and signed with the demo's own key, and verifies."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

from signoff.app.app import SignoffApp
from signoff.app.screens.review import ReviewScreen
from signoff.cli.demo import EMAIL, RANGE, build
from signoff.cli.main import main
from signoff.records.codec import load
from signoff.records.store import list_records
from tests.app.tui_helpers import settle


def test_demo_builds_and_prints_without_opening(tmp_path: Path, capsys) -> None:
    where = tmp_path / "demo"
    assert main(["demo", "--dir", str(where), "--no-open"]) == 0
    out = capsys.readouterr().out
    assert str(where / "shop") in out and "verify" in out
    assert main(["-C", str(where / "shop"), "scan", RANGE, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    triggered = {q["id"] for q in doc["questions"]["triggered"]}
    assert {
        "db.parameterized-queries",
        "secrets.hardcoded",
        "ci.untrusted-checkout",
        "ci.script-injection",
    } <= (triggered)
    assert doc["ai"]["summary"]["ai"] > 0 and doc["ai"]["summary"]["ai_commits"] == 1
    # the shipped scanner output matches the demo's files: Bandit's B608 is the f-string line
    scans = [str(where / "scans" / n) for n in ("bandit.sarif", "zizmor.sarif")]
    args = ["-C", str(where / "shop"), "scan", RANGE, "--format", "json", "--no-ai"]
    assert main(args + [a for s in scans for a in ("--findings", s)]) == 0
    found = {(f["tool"], f["rule"]): f for f in json.loads(capsys.readouterr().out)["findings"]["items"]}
    b608 = found[("Bandit", "B608")]
    assert b608["changed"] and b608["question"] == "db.parameterized-queries"
    line = (where / "shop" / b608["path"]).read_text().splitlines()[b608["line"] - 1]
    assert 'f"SELECT' in line
    assert found[("zizmor", "zizmor/template-injection")]["question"] == "ci.script-injection"
    # no git config names the demo key: it is passed to the review as flags
    assert subprocess.run(
        ["git", "config", "--global", "--get", "user.signingKey"], capture_output=True, timeout=30
    ).stdout != (str(where / ".demo-key" / "id_ed25519").encode())
    local = ["git", "-C", str(where / "shop"), "config", "--local", "--get", "user.signingKey"]
    assert subprocess.run(local, capture_output=True, timeout=30).returncode == 1


def test_demo_refuses_a_non_empty_directory(tmp_path: Path, capsys) -> None:
    (tmp_path / "x").write_text("mine")
    assert main(["demo", "--dir", str(tmp_path), "--no-open"]) == 2
    assert "not empty" in capsys.readouterr().err


def test_demo_review_finished_and_signed_in_pilot(tmp_path: Path) -> None:
    demo = build(tmp_path / "demo")

    async def run() -> None:
        app = SignoffApp(
            demo.git,
            demo.target,
            draft_dir=tmp_path / "drafts",
            sarif=tuple(map(str, demo.sarif)),
            sign_key=str(demo.key),
            sign_format="ssh",
            sign_email=EMAIL,
        )
        async with app.run_test(size=(140, 44)) as pilot:
            await settle(app)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReviewScreen) and screen.diff is not None
            assert any(screen.ai.lines.get(f.path) for f in screen.diff.files)  # the Claude trailer
            triggered = screen.triggered_ids()
            assert "db.parameterized-queries" in triggered and "ci.script-injection" in triggered
            sql = next(q for q in screen.questions if q.id == "db.parameterized-queries")
            assert sql.hits[0].trigger == "finding" and "Bandit B608" in sql.hits[0].text
            # triage: walk to the SQL question, T = true positive, T = false positive (needs a reason)
            for _ in triggered:
                if screen.checklist.current == "db.parameterized-queries":
                    break
                await pilot.press("J")
            assert screen.checklist.current == "db.parameterized-queries"
            fid = "bandit:B608@app/db.py:8"
            await pilot.press("T")
            assert app.session.findings[fid]["triage"] == "true-positive"
            await pilot.press("T")
            await pilot.pause()
            await pilot.press("ctrl+s")  # an empty reason: the judgement is not taken
            await pilot.pause()
            assert fid not in app.session.findings
            await pilot.press("T", "T")
            await pilot.pause()
            await pilot.press(*"fixed list", "ctrl+s")
            await pilot.pause()
            assert app.session.findings[fid] == {
                "triage": "false-positive",
                "note": "fixed list",
            }
            for _ in triggered:
                await pilot.press("f")
            await pilot.press("S")
            await pilot.pause()
            overview = str(app.screen.query_one("#summary-overview").render())
            assert "4 of 5 scanner finding(s) untriaged" in overview, overview  # B608 was judged
            app.screen.query_one("#verdict").focus()
            await pilot.press("down", "enter")  # changes requested
            app.screen.query_one("#summary-text").focus()
            await pilot.press(*"SQL, key, PR title")
            await pilot.press("ctrl+s")
            await settle(app)
            await pilot.pause()
            assert app.record_path is not None, str(app.screen.query_one("#summary-result").render())

    asyncio.run(asyncio.wait_for(run(), 60))  # bounded: a stuck worker fails the test
    records = list_records(demo.root)
    assert len(records) == 1
    assert main(["-C", str(demo.root), "verify"]) == 0
    text = records[0].read_text()
    assert EMAIL in text and 'verdict = "changes-requested"' in text
    assert "[[findings]]" in text and 'rule = "B608"' in text and 'triage = "untriaged"' in text
    record = load(records[0])
    b608 = next(f for f in record.findings or [] if f.rule == "B608")
    assert b608.triage == "false-positive" and b608.note == "fixed list"


def test_bad_sarif_in_the_tui_is_a_notification_and_the_review_goes_on(tmp_path: Path) -> None:
    demo = build(tmp_path / "demo")
    bad = tmp_path / "bad.sarif"
    bad.write_bytes(b"\xff\xfe{")

    async def run() -> None:
        sarif = (str(bad), str(demo.sarif[0]))
        app = SignoffApp(demo.git, demo.target, draft_dir=tmp_path / "drafts", sarif=sarif)
        notes: list[str] = []
        app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
        async with app.run_test(size=(140, 44)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReviewScreen) and screen.loaded
            assert any(f"{bad}: " in n and "UTF-16" in n for n in notes), notes
            sql = next(q for q in screen.questions if q.id == "db.parameterized-queries")
            assert sql.hits[0].trigger == "finding"  # the good file's findings are still there

    asyncio.run(asyncio.wait_for(run(), 60))  # bounded: a stuck worker fails the test
