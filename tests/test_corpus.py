"""Quality corpus: vulnerable snippets must trigger their question, safe counterparts must not.

All cases go into ONE real repository: a root commit with the ``base`` files, a ``bad`` commit and a
``good`` commit on top of it; each side is one diff, evaluated once. Precision and recall are printed
(``pytest -s tests/test_corpus.py``) and must stay at 1.0 / >= 0.95.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.relevance.engine import relevant_questions
from signoff.relevance.model import Relevance
from tests.helpers import commit_files, git, make_repo

CASES = tomllib.loads((Path(__file__).parent / "corpus" / "cases.toml").read_text())["case"]


@dataclass
class Corpus:
    bad: Relevance
    good: Relevance


def _file(case: dict, side: str) -> str:
    return f"{side}/{case['name']}/{case['path']}"


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
    g = open_repo(repo)
    out = {}
    for side in ("bad", "good"):
        diff = load_diff(g, resolve_target(g, f"base..{side}"))
        out[side] = relevant_questions(diff)
    return Corpus(out["bad"], out["good"])


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
    assert {".py", ".js", ".go", ".java", ".rb", ".php", ".tf", ".yml", ".yaml", "Dockerfile"} <= exts
    assert len({c["question"] for c in CASES}) >= 30


def precision_recall(corpus: Corpus) -> tuple[float, float, int, int, int]:
    tp = sum(_file(c, "bad") in _hit_paths(corpus.bad, c["question"]) for c in CASES)
    fn = len(CASES) - tp
    fp = sum(_file(c, "good") in _hit_paths(corpus.good, c["question"]) for c in CASES)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def test_precision_and_recall(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    precision, recall, tp, fp, fn = precision_recall(corpus)
    with capsys.disabled():
        counts = f"TP={tp} FP={fp} FN={fn}"
        print(f"\ncorpus: {len(CASES)} cases  {counts}  precision={precision:.3f} recall={recall:.3f}")
    assert precision == 1.0
    assert recall >= 0.95
