"""The fast TOML subset parser agrees with tomli on every text it accepts, and takes what signoff writes."""

from __future__ import annotations

import random
import tomllib
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.records import fasttoml as recordtoml
from signoff.records.codec import dumps, loads, loads_with_payload
from signoff.records.model import (
    AiCommit,
    Answer,
    Evidence,
    RecordError,
    ReviewRecord,
)
from signoff.records.strict import converter, fast_converter
from tests.sigkeys import make_record, sign_in_process

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _agrees(text: str) -> dict | None:
    """The fast result; when it accepts ``text``, tomllib must read exactly the same document."""
    fast = recordtoml.parse(text)
    if fast is not None:
        assert fast == tomllib.loads(text), text
    return fast


def _big_record() -> ReviewRecord:
    rec = make_record()
    rec.answers = [
        Answer(
            f"q{i}", f"Question {i}?", "fail", "high", f"note {i}", [Evidence("a.py", "1-2", "b" * 40)] * i
        )
        for i in range(4)
    ]
    rec.ai.commits = [AiCommit("a" * 40, "trailer"), AiCommit("b" * 40, "co-author")]
    rec.subject.paths = ["one.py"]
    rec.review.files_reviewed = []
    return sign_in_process(rec, KEY)


def test_records_signoff_writes_take_the_fast_path() -> None:
    for rec in (sign_in_process(make_record(), KEY), _big_record(), make_record()):
        text = dumps(rec)
        data = _agrees(text)
        assert data is not None, text
        assert loads(text) == rec


def test_values_outside_the_subset_fall_back_and_still_load() -> None:
    rec = sign_in_process(make_record(summary='say "hi"\\\ttab\nline'), KEY)
    text = dumps(rec)
    assert recordtoml.parse(text) is None  # escapes in basic strings
    assert loads(text) == rec
    assert recordtoml.parse(text.replace("\n", "\r\n")) is None
    assert loads(text.replace("\n", "\r\n")) == rec


@pytest.mark.parametrize(
    "text",
    [
        'a = "1"\na = "2"\n',  # duplicate key
        "[t]\nx = 1\n[t]\ny = 2\n",  # table defined twice
        "[[t]]\nx = 1\n[t]\n",  # table after array of tables
        "t = []\n[[t]]\n",  # array of tables after a static array
        "t = 1\n[t]\n",  # table over a key
        'x = {a = "1", a = "2"}\n',  # duplicate key in an inline table
        "x = {a = 1, a = 2}\n",
        "x = -0\n",
        "x = 01\n",
        "x = 99999999999999999999\n",
        "x = 1.5\n",
        "x = 2026-01-02\n",
        "x = +1\n",
        "x = 0x10\n",
        "x = trueish\n",
        'x = "a" "b"\n',
        'x = "a"#c\n',
        "x = '''a'b'''\n",
        "x = '''\nab''''\n",
        "x = '''\nnever closed\n",
        "x = [\n    1,\n",
        'x = [\n    "a"\n]\n',
        "x = [1,2]\n",
        "x = { a = 1 }\n",
        "x = {}\n",
        "a.b = 1\n",
        '"quoted" = 1\n',
        "x=1\n",
        "  x = 1\n",
        "[ t ]\n",
        "[t] # c\n",
        "[a.b]\n",
        "x = 1 \n",
        "x = \x7f\n",
        "# \x01\n",
        "x = 1\x00\n",
        "\ufeffx = 1\n",
        "[[]]\n",
        "[]\n",
        "x = \n",
        'x = "unterminated\n',
    ],
)
def test_edge_cases_fall_back_or_agree(text: str) -> None:
    _agrees(text)


def test_accepted_subset_examples() -> None:
    text = (
        '# c\n\nn = 0\nm = -12 # c\nb = false\ns = "ü ✓ 𝄞"\ne = []\nl = ["x", "y"]\n'
        '[t]\ni = {k = "v", n = 3, f = true}\narr = [\n    {a = "1"},\n    "x",\n]\n'
        "lit = '''\nline 1\nline 2\n'''\nlit2 = '''x\ny'''\n"
        '[[a]]\nk = "1"\n[[a]]\nk = "2"\n'
    )
    data = _agrees(text)
    assert data is not None
    assert data["t"]["lit"] == "line 1\nline 2\n" and data["t"]["lit2"] == "x\ny"
    assert data["a"] == [{"k": "1"}, {"k": "2"}]


_ALPHABET = "\"'[]{}=,.# \n\t\\-+_0123456789abcefinrstux:Z"


def test_mutated_records_never_disagree_with_tomli() -> None:
    """Thousands of random small edits of real records: the fast parser agrees or falls back."""
    rnd = random.Random(5)
    base = [dumps(sign_in_process(make_record(), KEY)), dumps(_big_record())]
    accepted = 0
    for _ in range(3000):
        text = rnd.choice(base)
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(len(text))
            op = rnd.random()
            if op < 0.35:
                text = text[:i] + text[i + 1 :]
            elif op < 0.7:
                text = text[:i] + rnd.choice(_ALPHABET) + text[i:]
            elif op < 0.85:
                text = text[:i] + rnd.choice(_ALPHABET) + text[i + 1 :]
            else:  # duplicate or move a line
                lines = text.split("\n")
                j, k = rnd.randrange(len(lines)), rnd.randrange(len(lines))
                lines.insert(k, lines[j] if op < 0.93 else lines.pop(j))
                text = "\n".join(lines)
        try:
            expected = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            assert recordtoml.parse(text) is None, text
            continue
        fast = recordtoml.parse(text)
        if fast is not None:
            accepted += 1
            assert fast == expected, text
    assert accepted > 300  # the mutations do exercise the fast path


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summary=_text, name=_text, paths=st.lists(_text, max_size=3), note=_text)
def test_property_any_values_agree(summary: str, name: str, paths: list[str], note: str) -> None:
    rec = make_record(summary=summary)
    rec.reviewer.name = name
    rec.subject.paths = paths
    rec.answers[0] = replace(rec.answers[0], note=note)
    signed = sign_in_process(rec, KEY)
    text = dumps(signed)
    _agrees(text)
    record, payload = loads_with_payload(text)
    assert record == signed
    assert payload == record.payload() == signed.payload()


def test_fast_converter_equals_the_strict_one_or_defers() -> None:
    data = tomllib.loads(dumps(_big_record()))
    fast = fast_converter(ReviewRecord)(tomllib.loads(dumps(_big_record())))
    assert fast == converter(ReviewRecord)(data, "", "")
    for edit in (
        lambda d: d["review"].pop("tool"),
        lambda d: d["answers"][1]["evidence"][0].update(side="middle"),
        lambda d: d["ai"].update(lines=-1),
        lambda d: d["subject"].update(paths=["a", 1]),
        lambda d: d.update(extra=1),
    ):
        bad = tomllib.loads(dumps(_big_record()))
        edit(bad)
        with pytest.raises(Exception) as info:
            fast_converter(ReviewRecord)(bad)
        assert not isinstance(info.value, RecordError)  # it defers; the strict converter names the field
        with pytest.raises(RecordError):
            ReviewRecord.from_dict(bad)
