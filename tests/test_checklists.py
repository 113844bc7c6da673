"""Checklist loading and validation: every problem kind, overrides, packaging, coverage of the sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from signoff.checklists.load import apply_overrides, builtin_dir, load_builtin, load_checklists
from signoff.checklists.model import ChecklistError
from signoff.checklists.parse import parse_checklist
from signoff.checklists.regex import regex_anchors
from signoff.errors import UsageError
from signoff.util.globs import glob_regex
from signoff.util.invisible_table import INVISIBLE_RANGES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"

GOOD = b"""
id = "demo"
title = "Demo"
version = "1.0.0"
description = "A demo checklist."
[[source]]
document = "Doc"
section = "Sec"
[[questions]]
id = "demo.one"
text = "Is it fine?"
guidance = "Look."
severity = "high"
references = ["A03:2021", "V5.3.4", "CWE-89"]
[questions.triggers]
added = ['eval\\(', { regex = 'exec\\(', languages = ["python"] }]
paths = ["**/*.sql"]
"""


def problems_of(text: str | bytes, **kw: object) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    _, probs = parse_checklist(data, "x.toml", **kw)  # type: ignore[arg-type]
    return [str(p) for p in probs]


def test_valid_checklist_parses() -> None:
    cl, probs = parse_checklist(GOOD, "demo.toml")
    assert probs == []
    assert cl is not None and cl.id == "demo" and len(cl.sha256) == 64
    q = cl.questions[0]
    assert (q.id, q.checklist_id, q.severity) == ("demo.one", "demo", "high")
    assert q.triggers.added[1].languages == ("python",)


def test_toml_syntax_error_has_line_and_column() -> None:
    probs = problems_of('id = "x"\ntitle = \n')
    assert len(probs) == 1
    assert re.match(r"x\.toml:2:\d+: TOML syntax error", probs[0]), probs


def test_unknown_keys_are_reported_at_every_level() -> None:
    text = GOOD.decode().replace('severity = "high"', 'severity = "high"\nweight = 3')
    text = text.replace("[questions.triggers]", "[questions.triggers]\nfiles = []")
    text = text.replace('title = "Demo"', 'title = "Demo"\nauthor = "me"')
    probs = "\n".join(problems_of(text))
    assert "unknown key 'weight'" in probs
    assert "unknown key 'files'" in probs
    assert "unknown key 'author'" in probs
    assert re.search(r"x\.toml:\d+: question 'demo\.one': unknown key 'weight'", probs)


def test_bad_regex_is_reported_not_raised() -> None:
    probs = problems_of(GOOD.decode().replace("eval\\(", "eval("))
    assert any("bad regex 'eval('" in p for p in probs), probs


def test_dangerous_regexes_are_rejected() -> None:
    text = GOOD.decode().replace("eval\\(", "(a+)+b")
    assert any("nested unbounded quantifiers" in p for p in problems_of(text))
    text = GOOD.decode().replace("eval\\(", "(?P<x>a)")
    assert any("named groups" in p for p in problems_of(text))
    text = GOOD.decode().replace("eval\\(", "(a)\\\\1")
    assert any("backreferences" in p for p in problems_of(text))


def test_duplicate_question_ids() -> None:
    q = GOOD.decode().split("[[questions]]")[1]
    probs = problems_of(GOOD.decode() + "[[questions]]" + q)
    assert any("duplicate question id 'demo.one'" in p for p in probs), probs


def test_missing_fields_and_bad_values() -> None:
    text = GOOD.decode().replace('version = "1.0.0"\n', "").replace('text = "Is it fine?"\n', "")
    text = text.replace('severity = "high"', 'severity = "urgent"').replace('"CWE-89"', '"CWE89"')
    text = text.replace('languages = ["python"]', 'languages = ["cobol"]')
    probs = "\n".join(problems_of(text))
    assert "missing required field 'version'" in probs
    assert "missing required field 'text'" in probs
    assert "bad severity 'urgent'" in probs
    assert "bad reference 'CWE89'" in probs
    assert "unknown language 'cobol'" in probs


def test_wrong_types() -> None:
    text = GOOD.decode().replace('paths = ["**/*.sql"]', 'paths = "x"\nai = "yes"')
    probs = "\n".join(problems_of(text))
    assert "'paths' must be a list" in probs and "'ai' must be true or false" in probs


def test_shipped_checklists_are_valid_and_anchored() -> None:
    checklists, problems = load_builtin()
    assert problems == []
    assert len(checklists) >= 15
    ids = [q.id for c in checklists for q in c.questions]
    assert len(ids) == len(set(ids))
    for c in checklists:
        assert c.sources and c.version and c.description
        for q in c.questions:
            assert q.guidance.strip(), q.id
            assert q.id.split(".")[0], q.id
            t = q.triggers
            assert not t.empty, f"{q.id} can never trigger"
            for p in (*t.added, *t.removed):
                # A regex with no literal anchor scans every line: only allowed when narrowed to file kinds.
                # Exception: the Trojan Source trigger is one generated character class of ~4,200 code
                # points, found by a single C-speed class scan of the whole side (no per-line work).
                single_class = q.id == "code.trojan-source" and p.source.startswith("[")
                assert p.anchors or p.languages or t.languages or single_class, f"{q.id}: {p.source}"


def test_opt_in_checklists_are_not_forced() -> None:
    cs = load_checklists()
    ids = {c.id for c in cs.checklists}
    assert {"release", "incident-response", "compliance"}.isdisjoint(ids)
    assert {"release", "incident-response", "compliance"} <= set(cs.available_opt_in)
    with_release = load_checklists(include_opt_in=["release"])
    assert "release" in {c.id for c in with_release.checklists}
    assert with_release.by_id("release.pre.penetration-testing") is not None
    with pytest.raises(UsageError, match="unknown checklist 'nope'"):
        load_checklists(include_opt_in=["nope"])


def test_trojan_source_rule_is_exactly_the_invisible_table() -> None:
    """The trigger is generated from the same table as the placeholders (scripts/gen_unicode_invisible.py)."""
    q = load_checklists().by_id("code.trojan-source")
    assert q is not None
    rx = q.triggers.added[0].regex
    table = {cp for a, b in INVISIBLE_RANGES for cp in range(a, b + 1)}
    for cp in table:
        assert rx.search(f"x = 1{chr(cp)}"), f"U+{cp:04X} not covered"
    extra = [cp for cp in range(0x20, 0x30000) if cp not in table and rx.search(chr(cp))]
    assert extra == []


def test_languages_and_file_kinds_required_by_the_issue_are_covered() -> None:
    used: set[str] = set()
    for q in load_checklists().questions:
        used.update(q.triggers.languages)
        for p in (*q.triggers.added, *q.triggers.removed):
            used.update(p.languages)
    wanted = {"python", "javascript", "typescript", "go", "java", "ruby", "php", "sql", "shell", "dockerfile",
              "docker-compose", "kubernetes", "github-actions", "gitlab-ci", "terraform"}  # fmt: skip
    assert wanted <= used, wanted - used


def _seed_sections() -> set[tuple[str, str]]:
    out = set()
    for seed in sorted(SEEDS.glob("*.txt")):
        text = seed.read_text()
        doc = re.search(r"^# (.+)$", text, re.MULTILINE).group(1).strip()  # type: ignore[union-attr]
        h2 = ""
        for m in re.finditer(r"^(##|###) (.+)$", text, re.MULTILINE):
            title = re.sub(r"^[^A-Za-z0-9]+", "", m.group(2)).strip()
            if m.group(1) == "##":
                h2 = title
            else:
                out.add((doc, f"{h2} / {title}"))
    return out


@pytest.mark.skipif(not SEEDS.is_dir(), reason="source documents not available")
def test_every_section_of_both_source_documents_is_covered() -> None:
    sections = _seed_sections()
    assert len(sections) > 30
    covered = {(s.document, s.section) for c in load_builtin()[0] for s in c.sources}
    missing = sorted(sections - covered)
    assert not missing, missing


def test_repo_overrides_replace_and_add(tmp_path: Path) -> None:
    d = tmp_path / ".signoff" / "checklists"
    d.mkdir(parents=True)
    (d / "local.toml").write_text(
        """
id = "database"
[[questions]]
id = "db.credentials"
severity = "medium"
[[questions]]
id = "db.tenant-filter"
text = "Does every query filter by tenant_id?"
severity = "high"
[questions.triggers]
added = ['\\bobjects\\.all\\(']
"""
    )
    (d / "team.toml").write_text(
        """
id = "team"
title = "Team rules"
version = "2"
description = "Local."
[[questions]]
id = "team.no-print"
text = "No print debugging?"
severity = "low"
[questions.triggers]
added = ['\\bprint\\(']
"""
    )
    cs = load_checklists(tmp_path)
    creds = cs.by_id("db.credentials")
    assert creds is not None and creds.severity == "medium" and creds.origin.endswith("local.toml")
    assert creds.text.startswith("Are database credentials")  # fields not given are kept
    new = cs.by_id("db.tenant-filter")
    assert new is not None and new.checklist_id == "database"
    assert cs.by_id("team.no-print") is not None and cs.checklist("team") is not None
    assert {o.path for o in cs.overrides} == {
        ".signoff/checklists/local.toml",
        ".signoff/checklists/team.toml",
    }
    assert all(len(m["sha256"]) == 64 for m in cs.manifest())
    # The shipped definitions are untouched for the next caller.
    assert load_checklists().by_id("db.credentials").severity == "critical"  # type: ignore[union-attr]


def test_invalid_override_raises_with_all_problems(tmp_path: Path) -> None:
    d = tmp_path / ".signoff" / "checklists"
    d.mkdir(parents=True)
    (d / "bad.toml").write_text('id = "database"\n[[questions]]\nid = "db.x"\nseverity = "huge"\n')
    with pytest.raises(ChecklistError) as exc:
        load_checklists(tmp_path)
    msg = str(exc.value)
    assert ".signoff/checklists/bad.toml" in msg and "bad severity 'huge'" in msg
    assert "missing required field 'text'" in msg


def test_apply_overrides_is_pure() -> None:
    builtins, _ = load_builtin()
    before = [q.severity for c in builtins for q in c.questions]
    apply_overrides(
        builtins, [("o.toml", b'id = "secrets"\n[[questions]]\nid = "secrets.hardcoded"\nseverity = "low"\n')]
    )
    assert [q.severity for c in builtins for q in c.questions] == before


def test_regex_anchors() -> None:
    assert regex_anchors(r"\bos\.system\s*\(") == {"os.system"}
    assert regex_anchors(r"(?i)\b(?:db|database)_?(?:pass(?:word)?|pwd)") is not None
    assert regex_anchors(r"(?:ab|cd)\d+") is None  # too short to be a useful prefilter
    assert regex_anchors("[\u202a-\u202e]") == frozenset("\u202a\u202b\u202c\u202d\u202e")
    assert regex_anchors(r"AKIA[0-9A-Z]{16}") == {"akia"}


def test_glob_regex() -> None:
    def m(g: str, p: str) -> bool:
        return re.match(glob_regex(g), p) is not None

    assert m("Dockerfile", "a/b/Dockerfile") and m("Dockerfile", "Dockerfile")
    assert m("**/*.tf", "main.tf") and m("**/*.tf", "infra/x/main.tf")
    assert m(".github/workflows/**", ".github/workflows/ci.yml")
    assert not m(".github/workflows/**", "x/.github/workflows/ci.yml")
    assert not m("*.py", "a.pyc")
    # one dialect with the [ai] paths setting: directory globs and character classes
    assert m("generated/", "a/generated/x.py") and not m("generated/", "generated.py")
    assert m("/vendor/", "vendor/x/y.go") and not m("/vendor/", "a/vendor/y.go")
    assert m("v[0-9].py", "src/v1.py") and not m("v[!0-9].py", "v1.py")


def test_builtin_dir_is_package_data_or_checkout() -> None:
    d = builtin_dir()
    assert (d / "database.toml").is_file()
