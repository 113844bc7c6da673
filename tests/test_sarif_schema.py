"""Every SARIF document signoff writes validates against the OASIS SARIF 2.1.0 JSON schema (vendored
unmodified in tests/fixtures/sarif-schema, source in SOURCE.md beside it), checked with ``jsonschema``.

The change exercises every kind of result: added, removed, path and AI hits, real Bandit and zizmor
findings placed on the diff, and a file name that needs percent-encoding in a URI. The real scanners'
own SARIF validates too, and broken documents do not (the check can fail)."""

from __future__ import annotations

import copy
import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

jsonschema = pytest.importorskip("jsonschema")

from signoff.cli import main  # noqa: E402
from tests.helpers import commit_files, git  # noqa: E402
from tests.test_findings import BANDIT, SHOP, ZIZMOR, _shop_files  # noqa: E402

SCHEMA_FILE = Path(__file__).parent / "fixtures" / "sarif-schema" / "sarif-schema-2.1.0.json"
ODD_NAME = "web/my report #1 (é) 100%.py"
OLD_VIEW = "@login_required\ndef orders(request):\n    return render(request)\n"
AI_TRAILER = "\n\nCo-authored-by: Claude <noreply@anthropic.com>"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _problems(validator, doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


@pytest.fixture
def change(repo: Path) -> Path:
    """The shop fixture's change (Bandit and zizmor ran on it), plus an AI-co-authored commit that adds
    SQL in an oddly named file and removes a login check."""
    files = _shop_files()
    commit_files(repo, {"app/settings.py": files["app/settings.py"], "views.py": OLD_VIEW})
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, files, "orders search, report archive, CI")
    sql = "def q(c, n):\n    return c.execute(\"SELECT * FROM t WHERE n = '%s'\" % n)\n"
    commit_files(
        repo,
        {ODD_NAME: sql, "views.py": OLD_VIEW.replace("@login_required\n", "")},
        "report query" + AI_TRAILER,
    )
    return repo


def _sarif(repo: Path, *extra: str) -> dict:
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["-C", str(repo), "scan", "main..feature", "--format", "sarif", *extra])
    assert code == 0
    return json.loads(buf.getvalue())


def test_scan_sarif_validates_against_the_sarif_2_1_0_schema(change: Path, validator) -> None:
    doc = _sarif(change, "--findings", str(BANDIT), "--findings", str(ZIZMOR))
    assert _problems(validator, doc) == []
    results = doc["runs"][0]["results"]
    kinds = {r["message"]["text"].split("[", 1)[1].split("]", 1)[0] for r in results}
    assert {"added line", "removed line", "scanner finding", "ai"} <= kinds, kinds
    # a scanner finding keeps its tool, rule and message in signoff's result
    b608 = next(r for r in results if "Bandit B608" in r["message"]["text"])
    assert b608["ruleId"] == "db.parameterized-queries"
    # the odd file name is one percent-encoded relative URI that decodes back to the path
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    odd = [u for u in uris if unquote(u) == ODD_NAME]
    assert odd and " " not in odd[0] and "#" not in odd[0]
    for uri in uris:
        parts = urlsplit(uri)
        assert not parts.scheme and not parts.netloc and not parts.fragment and not uri.startswith("/")


def test_sarif_without_results_validates(repo: Path, validator) -> None:
    commit_files(repo, {"README.md": "hello\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"README.md": "hello again\n"}, "docs")
    doc = _sarif(repo, "--no-ai")
    assert _problems(validator, doc) == []


@pytest.mark.parametrize("fixture", [BANDIT, ZIZMOR], ids=["bandit", "zizmor"])
def test_the_real_scanners_sarif_validates(fixture: Path, validator) -> None:
    """The schema is the one producers write to: real Bandit 1.9 and zizmor 1.x output passes it."""
    assert SHOP.is_dir()
    assert _problems(validator, json.loads(fixture.read_text())) == []


def _break_start_line(d: dict) -> None:
    d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0


def _break_level(d: dict) -> None:
    d["runs"][0]["results"][0]["level"] = "critical"


def _break_extra_key(d: dict) -> None:
    d["runs"][0]["results"][0]["lineNumber"] = 3


def _break_version(d: dict) -> None:
    d["version"] = "2.0.0"


def _break_message(d: dict) -> None:
    del d["runs"][0]["results"][0]["message"]


@pytest.mark.parametrize(
    "breaking", [_break_start_line, _break_level, _break_extra_key, _break_version, _break_message]
)
def test_a_broken_document_fails_the_schema(change: Path, validator, breaking) -> None:
    doc = _sarif(change, "--no-ai")
    assert _problems(validator, doc) == []
    bad = copy.deepcopy(doc)
    breaking(bad)
    assert _problems(validator, bad)
