"""Review record schema: strict loading, TOML round trip, canonical payload, subject, coverage."""

from __future__ import annotations

import copy
import random
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
import tomlkit
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.diff.parse import load_diff
from signoff.git.runner import EMPTY_TREE, open_repo
from signoff.git.target import resolve_target
from signoff.records.codec import dumps, loads, loads_with_payload
from signoff.records.model import PAYLOAD_PREFIX, Answer, Evidence, RecordError, ReviewRecord
from signoff.records.subject import subject_for
from signoff.signing.allowed_signers import AllowedSigners
from signoff.signing.sshsig import ed25519_public_key
from signoff.signing.verify import Status, Verifier, covers
from tests.helpers import commit_files, git, write
from tests.sigkeys import make_record, sign_in_process

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
TRUST = AllowedSigners.parse(f"* {ed25519_public_key(KEY).openssh()}\n")
VERIFIER = Verifier(TRUST)


def valid(text: str) -> bool:
    return VERIFIER.verify(loads(text)).status is Status.VALID


def test_round_trip_and_payload_shape() -> None:
    rec = sign_in_process(make_record(), KEY)
    text = dumps(rec)
    assert text.startswith("# signoff review record")
    again = loads(text)
    assert again == rec
    payload = rec.payload()
    assert payload.startswith(PAYLOAD_PREFIX) and payload.endswith(b"}\n")
    assert b"signature" not in payload and b'"schema":"signoff.review/2"' in payload
    assert "Alice Ä".encode() in payload  # UTF-8, not \u escapes
    assert valid(text)


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda d: d["answers"][1].update(answer="maybe"), "answers[1].answer", "expected one of pass"),
        (lambda d: d["ai"].update(lines="12"), "ai.lines", "expected an integer"),
        (lambda d: d["ai"].update(lines=True), "ai.lines", "expected an integer"),
        (lambda d: d["ai"].update(lines=-1), "ai.lines", "non-negative"),
        (lambda d: d["review"].pop("verdict"), "review.verdict", "missing field"),
        (lambda d: d["review"].update(extra=1), "review.extra", "unknown field"),
        (lambda d: d.update(surprise={}), "surprise", "unknown field"),
        (lambda d: d["subject"].update(head="HEAD"), "subject.head", "full commit id"),
        (lambda d: d["subject"].update(dirty="no"), "subject.dirty", "boolean"),
        (lambda d: d["review"].update(finished="2026-01-02 04:04"), "review.finished", "UTC time"),
        (
            lambda d: d["answers"][0]["evidence"][0].update(lines="3..5"),
            "answers[0].evidence[0].lines",
            "N or N-M",
        ),
        (lambda d: d.update(schema="signoff.review/3"), "schema", "expected one of"),
        (lambda d: d.update(answers={}), "answers", "expected an array"),
        (
            lambda d: d["review"].update(thoroughness="total"),
            "review.thoroughness",
            "high, medium, low, none",
        ),
        (lambda d: d["signature"].update(format="x509"), "signature.format", "ssh, openpgp"),
    ],
)
def test_strict_loading_names_the_field(edit, field: str, message: str) -> None:
    data = tomllib.loads(dumps(sign_in_process(make_record(), KEY)))
    edit(data)
    with pytest.raises(RecordError) as info:
        loads(tomlkit.dumps(data), "x.toml")
    assert info.value.field == field
    assert message in info.value.message and info.value.message.startswith(f"x.toml: {field}: ")


def test_missing_optional_fields_get_defaults_in_both_payloads() -> None:
    rec = sign_in_process(make_record(), KEY)
    data = tomllib.loads(dumps(rec))
    del data["ai"], data["subject"]["index_tree"], data["answers"][1]["evidence"], data["checklists"]
    text = tomlkit.dumps(data)
    loaded, payload = loads_with_payload(text)
    assert payload == loaded.payload()
    assert loaded.ai.lines == 0 and loaded.checklists == []
    assert not VERIFIER.verify(loaded).ok  # the signed record had those values


def test_not_toml() -> None:
    with pytest.raises(RecordError, match="not valid TOML"):
        loads("schema = ", "bad.toml")


def test_crlf_line_endings_keep_the_signature() -> None:
    rec = sign_in_process(make_record(summary='line one\nline two\r\n\ttab "q" \\ é'), KEY)
    text = dumps(rec)
    assert valid(text.replace("\n", "\r\n"))


# -- property: formatting does not matter, values do -------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_word = st.text("abcdefghijklmnopqrstuvwxyz0123456789-._", min_size=1, max_size=12)
_answer = st.builds(
    Answer,
    id=_word,
    text=_text,
    answer=st.sampled_from(["pass", "fail", "na", "skipped"]),
    severity=st.sampled_from(["", "low", "high"]),
    note=_text,
    evidence=st.lists(
        st.builds(Evidence, path=_text, lines=st.from_regex(r"[0-9]{1,3}(-[0-9]{1,3})?", fullmatch=True)),
        max_size=2,
    ),
)


@st.composite
def records(draw: st.DrawFn) -> ReviewRecord:
    rec = make_record(summary=draw(_text))
    rec.answers = draw(st.lists(_answer, max_size=3))
    rec.subject.paths = draw(st.lists(_text, max_size=3))
    rec.review.files_reviewed = draw(st.lists(_text, max_size=2))
    rec.reviewer.name = draw(_text)
    rec.ai.lines = draw(st.integers(0, 10**6))
    return sign_in_process(rec, KEY)


def _reformat(text: str, rnd: random.Random) -> str:
    """The same values, differently written: shuffled keys, inline tables, comments, other quoting."""
    data = tomllib.loads(text)

    def shuffle(value):
        if isinstance(value, dict):
            items = list(value.items())
            rnd.shuffle(items)
            return {k: shuffle(v) for k, v in items}
        if isinstance(value, list):
            return [shuffle(v) for v in value]
        return value

    doc = tomlkit.document()
    doc.add(tomlkit.comment("reformatted by a test"))
    for key, value in shuffle(data).items():
        if isinstance(value, dict) and rnd.random() < 0.5:
            t = tomlkit.inline_table()
            t.update(value)
            doc.add(key, t)
        else:
            doc.add(key, value)
        if rnd.random() < 0.5:
            doc.add(tomlkit.comment(f"comment after {key}"))
    return "\n\n" + tomlkit.dumps(doc).replace(" = ", "=")


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path, value


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    swaps = {
        "approve": "reject",
        "high": "low",
        "medium": "none",
        "pass": "fail",
        "fail": "pass",
        "na": "skipped",
        "skipped": "na",
        "range": "staged",
        "new": "old",
    }
    if value in swaps:
        return swaps[value]
    if len(value) in (40, 64) and all(c in "0123456789abcdef" for c in value):
        return ("0" if value[0] != "0" else "1") + value[1:]
    if value.endswith("Z") and "T" in value:
        return value.replace("2026", "2025", 1)
    if value[:1].isdigit():
        return value + "0"
    return value + "x"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rec=records(), seed=st.integers(0, 2**32))
def test_property_format_free_value_bound(rec: ReviewRecord, seed: int) -> None:
    rnd = random.Random(seed)
    text = dumps(rec)
    assert valid(text)
    reformatted = _reformat(text, rnd)
    assert loads(reformatted) == rec
    assert valid(reformatted)
    # the fast path (payload serialised from the parsed data) is the model's payload
    assert loads_with_payload(reformatted)[1] == rec.payload()
    data = tomllib.loads(text)
    leaves = [(p, v) for p, v in _leaves(data) if p[0] not in ("signature",)]
    path, value = rnd.choice(leaves)
    mutated = copy.deepcopy(data)
    target = mutated
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = _changed(value)
    try:
        rec2 = loads(tomlkit.dumps(mutated))
    except RecordError:
        return  # the change made it invalid instead: also not accepted
    assert VERIFIER.verify(rec2).status is not Status.VALID, path


def test_signature_copied_onto_another_record_fails() -> None:
    a = sign_in_process(make_record(head="1" * 40), KEY)
    b = sign_in_process(make_record(head="2" * 40), KEY)
    assert VERIFIER.verify(a).ok and VERIFIER.verify(b).ok
    forged = replace(b, signature=a.signature)
    result = VERIFIER.verify(loads(dumps(forged)))
    assert result.status is Status.BAD_SIGNATURE


# -- coverage ---------------------------------------------------------------------------------------


def test_covers_head_and_tree_only() -> None:
    rec = make_record(head="1" * 40, head_tree="3" * 40)
    assert covers(rec, "1" * 40)
    assert covers(rec, "2" * 40, "3" * 40)  # squash / rebase with the same tree
    assert not covers(rec, "2" * 40)  # head A never counts for head B
    assert not covers(rec, "2" * 40, "4" * 40)
    assert covers(rec, "1" * 40, base="a" * 40)
    assert not covers(rec, "1" * 40, base="9" * 40)
    assert covers(rec, "1" * 40, base="9" * 40, base_tree="b" * 40)
    staged = replace(rec, subject=replace(rec.subject, kind="staged", index_tree="5" * 40, dirty=True))
    assert covers(staged, "7" * 40, "5" * 40)
    assert not covers(staged, "1" * 40, "3" * 40)


# -- subject from a real repository ---------------------------------------------------------------------


def test_subject_for_range(feature_repo: Path) -> None:
    g = open_repo(feature_repo)
    target = resolve_target(g, "main..feature")
    subject = subject_for(g, target, load_diff(g, target))
    assert subject.kind == "range" and not subject.dirty
    assert subject.head == git(feature_repo, "rev-parse", "feature").strip()
    assert subject.head_tree == git(feature_repo, "rev-parse", "feature^{tree}").strip()
    assert subject.base_tree == git(feature_repo, "rev-parse", "main^{tree}").strip()
    assert subject.paths == ["app.py", "lib/util.py"]
    assert len(subject.diff_sha256) == 64


def test_subject_for_worktree_leaves_the_index_alone(repo: Path) -> None:
    commit_files(repo, {"a.py": "x = 1\n"}, "one")
    write(repo, {"a.py": "x = 2\n", "b.py": "y\n"})
    git(repo, "add", "b.py")
    write(repo, {"c.py": "new\n"})
    index = repo / ".git" / "index"
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    g = open_repo(repo)
    target = resolve_target(g, worktree=True, untracked=True)
    subject = subject_for(g, target, load_diff(g, target))
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
    assert subject.kind == "worktree" and subject.dirty and subject.untracked
    # what `git add -A && git write-tree` would give, computed here the plain way for comparison
    git(repo, "add", "-A")
    assert subject.worktree_tree == git(repo, "write-tree").strip()
    git(repo, "reset", "-q")
    git(repo, "add", "b.py")
    assert subject.index_tree == git(repo, "write-tree").strip()
    assert subject.head_tree == git(repo, "rev-parse", "HEAD^{tree}").strip()


def test_subject_for_staged_on_unborn_branch(repo: Path) -> None:
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "a.py")
    g = open_repo(repo)
    target = resolve_target(g, staged=True)
    subject = subject_for(g, target, load_diff(g, target))
    assert subject.head == "" and subject.head_tree == EMPTY_TREE and subject.base == EMPTY_TREE
    assert subject.index_tree == git(repo, "write-tree").strip()
    assert subject.worktree_tree == ""
