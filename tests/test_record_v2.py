"""Schema ``signoff.review/2``: optional tables for line comments, the previous-record link, analysis
completeness and the AI-seen definition. ``/1`` records keep loading and verifying byte for byte."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from signoff.records.codec import dumps, loads, loads_with_payload
from signoff.records.model import SCHEMA, SCHEMA_V1, AiSummary, Analysis, Comment, Previous, RecordError
from tests.sigkeys import allowed_line, make_record, sign_in_process

V2_TABLES = (
    Comment("src/app.py", "3-5", "why is this not escaped?\nsecond line", "new", "a" * 40),
    Previous(
        record=".signoff/reviews/2026/01/cccccccccccc-alice-20260102T040405Z.toml",
        payload_sha256="9" * 64,
        reviewer="alice@example.com",
        head="c" * 40,
        finished="2026-01-02T04:04:05Z",
        carried=["shell.exec"],
        reanswer=["db.sql"],
    ),
    Analysis(
        complete=False,
        pending=["ai"],
        unanswered=["db.sql"],
        unviewed=["lib/ü.py"],
        ai_unseen=2,
        confirmed=True,
    ),
)


def _v2(private_key=None):
    rec = make_record()
    comment, previous, analysis = V2_TABLES
    rec = replace(
        rec,
        comments=[comment],
        previous=previous,
        analysis=analysis,
        ai=replace(rec.ai, seen_definition="cursor/1"),
    )
    return sign_in_process(rec, private_key) if private_key is not None else rec


def test_new_records_are_v2_and_round_trip(ssh_keys) -> None:
    rec = _v2(ssh_keys.private_ed25519())
    assert rec.schema == SCHEMA == "signoff.review/2"
    text = dumps(rec)
    back, payload = loads_with_payload(text)
    assert back == rec and payload == rec.payload()
    assert payload.startswith(b"signoff.review/2\n")
    assert back.comments[0].text == "why is this not escaped?\nsecond line"
    assert back.previous.carried == ["shell.exec"] and back.analysis.unviewed == ["lib/ü.py"]
    assert back.ai.seen_definition == "cursor/1"


def test_v2_without_optional_tables_has_none_of_them_in_the_payload(ssh_keys) -> None:
    rec = sign_in_process(make_record(), ssh_keys.private_ed25519())
    text = dumps(rec)
    assert "[previous]" not in text and "[[comments]]" not in text and "seen_definition" not in text
    back, payload = loads_with_payload(text)
    assert back == rec and payload == rec.payload()
    assert b"comments" not in payload and b"analysis" not in payload and b"previous" not in payload


def test_v1_records_still_load_with_their_own_payload(ssh_keys) -> None:
    """A record signed as /1 before the bump keeps verifying: same prefix, same JSON, no new keys."""
    v1 = sign_in_process(replace(make_record(), schema=SCHEMA_V1), ssh_keys.private_ed25519())
    text = dumps(v1)
    assert 'schema = "signoff.review/1"' in text
    back, payload = loads_with_payload(text)
    assert back.schema == SCHEMA_V1 and payload == back.payload()
    assert payload.startswith(b"signoff.review/1\n")
    assert b"comments" not in payload and b"seen_definition" not in payload and b"null" not in payload


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ('\n[[comments]]\npath = "a"\nlines = "1"\ntext = "x"\n', "comments"),
        ("\n[analysis]\ncomplete = true\n", "analysis"),
    ],
)
def test_v1_record_with_v2_tables_is_refused(extra: str, field: str) -> None:
    text = dumps(replace(make_record(), schema=SCHEMA_V1)) + extra
    with pytest.raises(RecordError) as info:
        loads(text)
    assert info.value.field.startswith(field) and "signoff.review/2" in str(info.value)


def test_v1_ai_table_with_seen_definition_is_refused() -> None:
    text = dumps(replace(make_record(), schema=SCHEMA_V1)).replace(
        "[ai]\n", '[ai]\nseen_definition = "cursor/1"\n'
    )
    with pytest.raises(RecordError) as info:
        loads(text)
    assert info.value.field == "ai.seen_definition"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('lines = "3-5"\ntext', 'lines = "x"\ntext', "comments[0].lines"),
        ('side = "new"', 'side = "both"', "comments[0].side"),
        ("complete = false", 'complete = "no"', "analysis.complete"),
        ("ai_unseen = 2", "ai_unseen = -2", "analysis.ai_unseen"),
        ('payload_sha256 = "9', 'payload_sha256 = "Z', "previous.payload_sha256"),
    ],
)
def test_v2_tables_are_strict(old: str, new: str, field: str) -> None:
    head, tables = dumps(_v2()).split("[[comments]]")
    assert old in tables, old
    with pytest.raises(RecordError) as info:
        loads(head + "[[comments]]" + tables.replace(old, new, 1))
    assert info.value.field == field


def test_unknown_schema_is_refused() -> None:
    text = dumps(_v2()).replace('schema = "signoff.review/2"', 'schema = "signoff.review/3"')
    with pytest.raises(RecordError) as info:
        loads(text)
    assert info.value.field == "schema"


def test_unknown_field_in_a_v2_table_is_refused() -> None:
    text = dumps(_v2()).replace("[analysis]\n", "[analysis]\nbogus = 1\n")
    with pytest.raises(RecordError) as info:
        loads(text)
    assert info.value.field == "analysis.bogus"


def test_plain_ssh_keygen_verifies_a_v2_record(tmp_path: Path, ssh_keys) -> None:
    """The canonical signed bytes of a /2 record check with plain OpenSSH, and any edit breaks them."""
    key = ssh_keys["ed25519"]
    rec = _v2(ssh_keys.private_ed25519())
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(allowed_line(key))
    sig = tmp_path / "r.sig"
    sig.write_text(rec.signature.value)
    args = ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "alice@example.com"]
    args += ["-n", "signoff-review", "-s", str(sig)]
    _, payload = loads_with_payload(dumps(rec))
    assert subprocess.run(args, input=payload, capture_output=True, check=False).returncode == 0
    tampered = dumps(rec).replace("why is this not escaped?", "all good")
    _, bad = loads_with_payload(tampered)
    assert subprocess.run(args, input=bad, capture_output=True, check=False).returncode != 0


def test_ai_summary_default_has_no_definition() -> None:
    assert AiSummary().seen_definition is None
