"""ReDoS at regex literals: the backtracking analysis (checklists.backtracking) and the literal finder
(relevance.regex_literals) raise input.redos at the literal's line, per language, and stay bounded on
hostile input."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from signoff.checklists import regex
from signoff.checklists.backtracking import catastrophic
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.relevance.engine import relevant_questions
from signoff.relevance.regex_literals import (
    MAX_LITERALS,
    NOT_ANALYSED,
    REGEX_PREFIX,
    judge,
    literal_patterns,
    to_python,
)
from tests.helpers import commit_files, git, make_repo

SRC = Path(__file__).resolve().parents[1] / "src"

CATASTROPHIC = [
    r"^(\d+)+x$",  # nested repeat over the same characters
    r"^([a-z]+\.?)*@$",  # the separator is optional
    r"^(\w([-\w]*\w)*)$",  # the inner repeat matches what follows it
    r"^(x|xy|y)*z$",  # an alternative made of what single-character ones match
    r"^(?:\d+|\w+)*!$",  # two repeated alternatives over shared characters
    r"\s+$",  # trailing whitespace at the end of an unanchored search
    r"<(.*)\s*=\s*(.*)\s+/>",  # a chain of overlapping repeats, degree 3+
    r"^\S+@\S+\.\S+$",  # the separator is matched by the repeats around it
    r"(\s*,\s*)*x",  # one iteration's trailing repeat and the next one's leading repeat overlap
    r"^(a*b)?\s*(?:,?\s*(\d+))?$",  # two adjacent repeats, one inside an optional group (quadratic)
    r"<(\w+)([^>]*)>",  # two adjacent repeats over shared characters before a character that can fail
]
SAFE = [
    r"^\d+(?:\.\d+)*$",  # a required separator the inner repeat cannot match
    r"^[a-z]+(?:-[a-z]+)*$",
    r'"(?:[^"\\]|\\.)*"',  # alternatives that start differently
    r"^(ab|ac)*d$",  # alternatives of several characters that start alike
    r"^\s+",  # anchored
    r"^(?>\w+)+$",  # atomic: no backtracking into the group
    r"^(\w++\s?)*$",  # possessive
    r"^\s*(\w+)\s*=\s*(.*)$",  # two repeats only
    r"^(?:[ \t]*(?:\n|$))+",  # iterations end on a newline or the end
    r"^(?:\s*,\w+)*$",  # a separator and a word: the boundary is fixed
    r"^\d+(?:\.\d+)?x$",  # an optional group whose separator keeps the repeats apart
    r"^key:[ \t]*(.*?)[ \t]*$",  # only the end can fail, and a repeat reaches it
]


@pytest.mark.parametrize("source", CATASTROPHIC)
def test_catastrophic_patterns_are_reported(source: str) -> None:
    assert catastrophic(source) is not None


@pytest.mark.parametrize("source", SAFE)
def test_linear_or_mild_patterns_are_not(source: str) -> None:
    assert catastrophic(source) is None


def test_dialects_are_translated_before_the_analysis() -> None:
    assert to_python(r"\A(?<word>[a-z]+)\z", "ruby") == r"\A(?P<word>[a-z]+)\Z"
    assert to_python(r"[^]\p{L}+", "javascript") == r"[\s\S]\w+"
    assert catastrophic(to_python(r"^(\h+-?)+\z", "ruby")) is not None


@pytest.mark.parametrize(
    ("lang", "code", "pattern"),
    [
        ("javascript", "const r = /^(a+)+$/i.test(s)", "^(a+)+$"),
        ("javascript", 'x = new RegExp("^(\\\\d+)+$")', r"^(\d+)+$"),
        ("python", 'R = re.compile(\n    r"^(\\d+)+$",\n)', r"^(\d+)+$"),
        ("python", 'R = re.match("^(\\d+)+$", s)', r"^(\d+)+$"),
        ("java", 'Pattern p = Pattern.compile("^(\\\\d+)+$");', r"^(\d+)+$"),
        ("java", 'static final String ID_PATTERN = "^(\\\\d+)+$";', r"^(\d+)+$"),
        ("csharp", 'var r = new Regex(@"^(\\d+)+$");', r"^(\d+)+$"),
        ("php", "preg_match('~^(\\d+)+$~i', $s);", r"^(\d+)+$"),
        ("ruby", "ok = s =~ %r{^(\\d+)+$}", r"^(\d+)+$"),
    ],
)
def test_literals_are_found_per_language(lang: str, code: str, pattern: str) -> None:
    assert [p for _, p, _ in literal_patterns(code, lang)] == [pattern]


def test_a_division_is_not_a_regex_literal() -> None:
    assert list(literal_patterns("const half = total / 2 + rest / 4;", "javascript")) == []


def test_csharp_literal_with_a_match_timeout_is_skipped() -> None:
    code = 'var r = new Regex(@"^(\\d+)+$", RegexOptions.None, TimeSpan.FromSeconds(1));'
    assert list(literal_patterns(code, "csharp")) == []


def _redos_hits(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, int]]:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"README.md": "x\n"}, "base")
    git(repo, "tag", "base")
    commit_files(repo, files, "head")
    g = open_repo(repo)
    r = relevant_questions(load_diff(g, resolve_target(g, "base..HEAD"))).result("input.redos")
    assert r is not None
    return {(h.path, h.line) for h in r.hits}


def test_hit_at_the_literal_line_and_none_for_go_re2(tmp_path: Path) -> None:
    files = {
        "web/check.ts": "import x from 'y'\n\nexport const ok = (s: string) =>\n  /^([a-z0-9]+-?)*$/.test(s)\n",  # noqa: E501
        "api/check.go": "package api\n\nvar handle = regexp.MustCompile(`^([a-z0-9]+-?)*$`)\n",
        "app/check.py": 'import re\n\nSLUG = re.compile(\n    r"^([a-z0-9]+-?)*$"\n)\n',
    }
    assert _redos_hits(tmp_path, files) == {("web/check.ts", 4), ("app/check.py", 4)}


def test_the_hit_says_why(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"README.md": "x\n"}, "base")
    git(repo, "tag", "base")
    commit_files(repo, {"a.js": "const r = /(\\s*,\\s*)*x/\n"}, "head")
    g = open_repo(repo)
    r = relevant_questions(load_diff(g, resolve_target(g, "base..HEAD"))).result("input.redos")
    assert (
        r is not None
        and r.hits
        and r.hits[0].pattern.startswith(REGEX_PREFIX + "repeats at the end and the start")
    )


def test_hostile_regex_literals_stay_bounded(tmp_path: Path) -> None:
    """Thousands of distinct literals, deeply nested groups and an unclosed literal on every line: the
    scan finishes in a bounded process (the analysis is cached, capped per file and by pattern size)."""
    lines = [f"const r{i} = /^(x{i}|\\w+)*$/;" for i in range(20000)]
    lines += ["const deep = /" + "(" * 400 + "a" + ")*" * 400 + "/;"]
    lines += ["const open = /unclosed [" + "x" * 200 for _ in range(2000)]
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"README": "x\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {"hostile.js": "\n".join(lines) + "\n"}, "hostile")
    argv = ["-C", str(repo), "scan", "main..topic", "--no-ai", "--format", "json"]
    proc = subprocess.run(
        [sys.executable, "-m", "signoff", *argv],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    triggered = {q["id"]: q for q in json.loads(proc.stdout)["questions"]["triggered"]}
    assert "input.redos" in triggered


def test_judge_is_bounded_on_deep_nesting() -> None:
    start = time.process_time()
    assert judge("(" * 90 + "a+" + ")*" * 90, False) is not None
    too_many = judge("(" * 200 + "a" + ")" * 200, False)  # too many groups: not analysed, and says so
    assert too_many is not None and too_many.startswith(NOT_ANALYSED)
    assert time.process_time() - start < 5


def test_a_literal_of_hundreds_of_classes_samples_each_distinct_class_once(monkeypatch) -> None:
    """A reviewed file's 2,000-character literal of 650 ``\\w*``: every class was sampled again at each
    look (3,250 passes over the sample characters, 1.5 s per literal, up to 1,000 literals a file)."""
    sampled: list[object] = []
    real = regex._class_sample_of
    monkeypatch.setattr(regex, "_class_sample_of", lambda items, c: sampled.append(items) or real(items, c))
    regex._CLASS_MEMO.clear()
    judge(r"\w*" * 325 + r"[a-f\d]*" * 100, False)
    assert len(sampled) == 2


def test_a_catastrophic_literal_behind_the_files_budget_is_not_passed_over(tmp_path: Path) -> None:
    """A change's author put 1,000 harmless literals before a catastrophic one: the finder stopped at
    1,000 and the catastrophic literal was never judged (no hit). Past the budget, the first literal not
    judged is hit as "not analysed"; a literal too complex to judge is hit the same way."""
    harmless = "".join(f"const r{i} = /^x{i}$/;\n" for i in range(MAX_LITERALS))
    groups = "(" * 120 + "a" + ")" * 120
    files = {
        "web/many.js": harmless + "const bad = /^(\\d+)+x$/;\n",
        "web/deep.js": f"const deep = /^{groups}+$/;\n",
    }
    assert _redos_hits(tmp_path, files) == {("web/many.js", MAX_LITERALS + 1), ("web/deep.js", 1)}
