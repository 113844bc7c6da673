"""Fuzz the three loaders of repository-supplied files: review records, the config, checklists.

Any input yields a result or the loader's own error (a one-line message), never another exception, a
hang or unbounded memory: hypothesis generates TOML-ish documents (deep nesting included) and raw bytes,
and a checked-in corpus of hostile files (``tests/fixtures/hostile/``) is run through each loader.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.checklists.parse import MAX_PROBLEMS, parse_checklist
from signoff.config import parse_config
from signoff.errors import UsageError
from signoff.records.codec import loads, read_text
from signoff.records.model import RecordError
from signoff.signing.verify import Status, Verifier
from tests.hostile_repos import FIXTURES, deep_nesting
from tests.sigkeys import make_record

CORPUS = sorted(FIXTURES.glob("*.toml"))


def _record_base() -> str:
    from signoff.records.codec import dumps

    return dumps(make_record())


def _load_record(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    try:
        loads(text, "fuzz.toml")
    except RecordError as exc:
        assert "\n" not in exc.message.strip() or len(exc.message) < 2000


def _load_config(data: bytes) -> None:
    try:
        parse_config(data, "fuzz.toml")
    except UsageError as exc:
        assert exc.message


def _load_checklist(data: bytes) -> None:
    _, problems = parse_checklist(data, "fuzz.toml", strict=False, existing={}, known_questions={})
    for p in problems:
        assert str(p)


LOADERS = {"record": _load_record, "config": _load_config, "checklist": _load_checklist}

# TOML-ish text: keys, values, nesting brackets and the characters that break naive parsers.
_atoms = st.sampled_from(
    [
        "[", "]", "{", "}", "=", ",", '"', "'", '"""', "\n", " ", "a", "schema", "signoff.review/1",
        "[[answers]]", "[subject]", "[signature]", "1979-05-27T07:32:00Z", "inf", "nan", "1e999",
        "0x7fffffffffffffffffff", "\\u202e", "\\u0000", "\u3164", "\x00", "\ufeff", "#", ".", "true",
    ]
)  # fmt: skip
toml_ish = st.lists(_atoms, max_size=200).map("".join)
nested = st.integers(min_value=1, max_value=20_000).map(lambda d: deep_nesting(d))


@pytest.mark.parametrize("kind", sorted(LOADERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(toml_ish.map(str.encode), st.binary(max_size=400), nested.map(str.encode)))
def test_loader_never_raises_anything_else(kind: str, data: bytes) -> None:
    LOADERS[kind](data)


@settings(max_examples=100, deadline=None)
@given(
    cut=st.integers(min_value=0, max_value=2000),
    junk=st.sampled_from(["[" * 3000, "{a=" * 3000, "\x00", "\udcff", "=", '"""', "\\", "\ufeff"]),
)
def test_record_loader_survives_a_spliced_valid_record(cut: int, junk: str) -> None:
    """A real record with hostile text spliced in anywhere: a result or a RecordError."""
    text = _record_base()
    cut = min(cut, len(text))
    data = (text[:cut] + junk + text[cut:]).encode("utf-8", "surrogatepass")
    _load_record(data)


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_corpus_through_every_loader(path: Path, kind: str) -> None:
    LOADERS[kind](path.read_bytes())


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_corpus_verifies_to_a_status_not_an_exception(path: Path) -> None:
    """The verifier turns every corpus file into one status line (none of them is valid)."""
    verifier = Verifier()  # trusts nobody
    result = verifier.verify_path(path)
    assert result.status is not Status.VALID
    assert result.reason
    assert "\n" not in result.reason


def test_deep_nesting_is_a_status_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(deep_nesting(200_000))
    limit = sys.getrecursionlimit()
    with pytest.raises(RecordError) as err:
        loads(read_text(path), str(path))
    assert sys.getrecursionlimit() == limit
    assert "nest" in err.value.message or "deep" in err.value.message


def test_a_checklist_with_thousands_of_problems_lists_a_bounded_number() -> None:
    """30,000 unknown keys used to be located one file scan each (minutes); now the first 100 are listed
    and one line says there are more."""
    data = ("".join(f"k{i} = {i}\n" for i in range(30_000))).encode()
    _, problems = parse_checklist(data, "many.toml", strict=False, existing={}, known_questions={})
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].line == 1 and "unknown key 'k0'" in problems[0].message
    assert "the rest are not listed" in problems[-1].message
