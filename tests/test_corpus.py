"""Quality corpus: vulnerable snippets must trigger their question, safe counterparts must not.

All cases (``tests/corpus/cases*.toml``, 300 pairs over 12+ languages and file kinds, multi-line forms
included) go into ONE real repository: a root commit with the ``base`` files, a ``bad`` commit and a
``good`` commit on top of it; each side is one diff, evaluated once. A third diff adds ordinary code
nobody wrote for these tests (signoff's own source) for the noise figure. Precision, recall and noise
(added-line hits per 200 lines of ordinary code) are printed per category (``pytest -s``).
"""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.relevance.engine import relevant_questions
from signoff.relevance.model import Relevance
from tests.helpers import commit_files, git, make_repo

CORPUS = Path(__file__).parent / "corpus"
CASES = [c for f in sorted(CORPUS.glob("cases*.toml")) for c in tomllib.loads(f.read_text())["case"]]
#: Ordinary code nobody wrote for these tests, for the noise figure: signoff's own source.
NOISE_ROOT = Path(__file__).resolve().parents[1] / "src" / "signoff"


@dataclass
class Corpus:
    bad: Relevance
    good: Relevance
    noise: Relevance
    noise_lines: int


def _file(case: dict, side: str) -> str:
    return f"{side}/{case['name']}/{case['path']}"


def _noise_files() -> dict[str, str]:
    return {f"noise/{p.relative_to(NOISE_ROOT)}": p.read_text() for p in sorted(NOISE_ROOT.rglob("*.py"))}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    repo = make_repo(tmp_path_factory.mktemp("corpus") / "repo")
    base = {_file(c, side): c["base"].lstrip("\n") for c in CASES if "base" in c for side in ("bad", "good")}
    commit_files(repo, {"README.md": "corpus\n", **base}, "base")
    git(repo, "tag", "base")
    commit_files(repo, {_file(c, "bad"): c["bad"].lstrip("\n") for c in CASES}, "bad")
    git(repo, "tag", "bad")
    git(repo, "checkout", "-q", "base")
    commit_files(repo, {_file(c, "good"): c["good"].lstrip("\n") for c in CASES}, "good")
    git(repo, "tag", "good")
    git(repo, "checkout", "-q", "base")
    noise = _noise_files()
    commit_files(repo, noise, "noise")
    git(repo, "tag", "noise")
    g = open_repo(repo)
    out = {}
    for side in ("bad", "good", "noise"):
        diff = load_diff(g, resolve_target(g, f"base..{side}"))
        out[side] = relevant_questions(diff)
    lines = sum(text.count("\n") for text in noise.values())
    return Corpus(out["bad"], out["good"], out["noise"], lines)


def _hit_paths(rel: Relevance, qid: str) -> set[str]:
    r = rel.result(qid)
    assert r is not None, f"unknown question {qid}"
    return {h.path for h in r.hits}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vulnerable_snippet_triggers_its_question(corpus: Corpus, case: dict) -> None:
    assert _file(case, "bad") in _hit_paths(corpus.bad, case["question"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_safe_counterpart_does_not_trigger_it(corpus: Corpus, case: dict) -> None:
    assert _file(case, "good") not in _hit_paths(corpus.good, case["question"])


def test_corpus_covers_many_languages_and_questions() -> None:
    exts = {Path(c["path"]).suffix or Path(c["path"]).name for c in CASES}
    assert {
        ".py",
        ".js",
        ".ts",
        ".go",
        ".java",
        ".kt",
        ".cs",
        ".rb",
        ".php",
        ".tf",
        ".yml",
        "Dockerfile",
    } <= exts
    assert len(CASES) >= 300
    assert len({c["question"] for c in CASES}) >= 40


def _per_category(corpus: Corpus) -> dict[str, Counter]:
    cats: dict[str, Counter] = defaultdict(Counter)
    for c in CASES:
        q = c["question"]
        cats[q]["n"] += 1
        cats[q]["tp"] += _file(c, "bad") in _hit_paths(corpus.bad, q)
        cats[q]["fp"] += _file(c, "good") in _hit_paths(corpus.good, q)
    for r in corpus.noise.triggered:
        lines = {(h.path, h.line) for h in r.hits if h.trigger == "added"}
        if lines:
            cats[r.question.id]["noise"] += len(lines)
    return cats


def precision_recall(corpus: Corpus) -> tuple[float, float, int, int, int]:
    tp = sum(_file(c, "bad") in _hit_paths(corpus.bad, c["question"]) for c in CASES)
    fn = len(CASES) - tp
    fp = sum(_file(c, "good") in _hit_paths(corpus.good, c["question"]) for c in CASES)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def test_precision_recall_and_noise_per_category(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    precision, recall, tp, fp, fn = precision_recall(corpus)
    cats = _per_category(corpus)
    per200 = 200 / max(corpus.noise_lines, 1)
    hit_lines = {(h.path, h.line) for r in corpus.noise.triggered for h in r.hits if h.trigger == "added"}
    with capsys.disabled():
        print(f"\n{'category':34} {'n':>3} {'precision':>9} {'recall':>7} {'noise/200':>9}")
        for q, c in sorted(cats.items()):
            p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
            r = c["tp"] / c["n"] if c["n"] else 1.0
            n = f"{c['n']:3}" if c["n"] else "  -"
            print(f"{q:34} {n} {p:9.2f} {r:7.2f} {c['noise'] * per200:9.2f}")
        print(
            f"corpus: {len(CASES)} cases  TP={tp} FP={fp} FN={fn}"
            f"  precision={precision:.3f} recall={recall:.3f}"
            f"  noise={len(hit_lines) * per200:.2f} per 200 lines ({corpus.noise_lines} ordinary lines)"
        )
    assert precision >= 0.98
    assert recall >= 0.95
