"""Held-out evaluation of the relevance engine on public code its rules were not written against.

Reads ``bench/heldout_labels.toml`` (repository, commit, path, line, question: no code is stored in this
repository), takes each labelled file from a snapshot of the public repository (``$SIGNOFF_MIRROR``,
default ``/work/.mirror/<owner>+<name>/repo``, as brought by the search tool's ``fetch``), adds all of
them in ONE commit of a temporary repository and runs the engine once over that diff. Prints, per
question (category):

* hit@line: the labelled question has a hit within two lines of the labelled line;
* file: the question has a hit anywhere in the file;
* noise: on ordinary code from the ``[noise]`` repositories, lines hit by any added-line trigger per 200
  added lines, and the questions responsible.

Also per language / file kind (Go, Java, PHP, JS/TS, Python, CI workflow, Dockerfile...). A label may
carry its own ``commit`` (advisories' fix commits: the fix's parent) and ``file_only = true`` (a
file-level question such as a Dockerfile without ``USER``: only the file figure counts).

Run: ``PYTHONPATH=src python bench/eval_relevance.py [--labels FILE] [--json OUT] [--src DIR]``; compare two
``--json`` runs with ``--compare BEFORE AFTER``.
``--src`` names the ``src`` directory of the engine to measure (default: this checkout's), so the same labels
and the same evaluator can measure an older engine from another worktree (before/after).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIRROR = Path(os.environ.get("SIGNOFF_MIRROR", "/work/.mirror"))
NOISE_EXTS = (
    *(".py", ".ts", ".tsx", ".js", ".go", ".java", ".rb", ".php", ".cs", ".kt", ".yml", ".yaml"),
    "Dockerfile",
)
LANGS = (
    ("CI workflow", (".github/workflows/",)),
    ("Dockerfile", ("Dockerfile",)),
    ("Go", (".go",)),
    ("Java", (".java", ".jsp", ".kt")),
    ("PHP", (".php",)),
    ("JS/TS", (".js", ".ts", ".tsx", ".ejs", ".html", ".hbs")),
    ("Python", (".py",)),
    ("Ruby", (".rb", ".erb")),
    ("C#", (".cs", ".cshtml")),
)
SRC = HERE.parent / "src"
NOISE_MAX_LINES = 8000
NOISE_MAX_FILE = 1500
WINDOW = 2


def _git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True, check=True).stdout


def _mirror(name: str) -> Path:
    return MIRROR / name.replace("/", "+") / "repo"


def _blob(name: str, commit: str, path: str) -> bytes | None:
    try:
        return _git(_mirror(name), "show", f"{commit}:{path}")
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None


def _local(name: str, path: str, commit: str = "") -> str:
    return f"{name.replace('/', '__')}{'@' + commit[:10] if commit else ''}/{path}"


def language(path: str) -> str:
    """The language or file kind a labelled or noise file is reported under."""
    for name, marks in LANGS:
        if any(m in path if m.startswith(".github") else path.endswith(m) for m in marks):
            return name
    return "other"


def _noise_files(spec: dict[str, dict]) -> dict[str, bytes]:
    """Ordinary code from the noise repositories: named ``paths``, else the first source files by name (under
    the ``under`` folders when given), up to ``lines`` lines per repository."""
    out: dict[str, bytes] = {}
    for name, entry in spec.items():
        commit, paths = entry["commit"], list(entry.get("paths", []))
        per_repo = entry.get("lines", NOISE_MAX_LINES // max(len(spec), 1))
        under = tuple(entry.get("under", ("",)))
        exts = tuple(entry.get("exts", NOISE_EXTS))
        if not paths:
            try:
                listing = _git(_mirror(name), "ls-tree", "-r", "--name-only", commit).decode().splitlines()
            except (subprocess.CalledProcessError, FileNotFoundError):
                continue
            paths = [
                p
                for p in sorted(listing)
                if p.endswith(exts)
                and p.startswith(under)
                and not any(t in p.lower() for t in ("test", "spec", "fixture", "vendor"))
            ]
        lines = 0
        for p in paths:
            data = _blob(name, commit, p)
            if data is None or b"\0" in data:
                continue
            n = data.count(b"\n")
            if n > NOISE_MAX_FILE:
                continue
            out[_local(name, p)] = data
            lines += n
            if lines >= per_repo:
                break
    return out


def _relevance(files: dict[str, bytes], src: Path = SRC):  # type: ignore[no-untyped-def]
    """Commit ``files`` as one change in a temporary repository and evaluate every question once with the
    engine under ``src``."""
    sys.path.insert(0, str(src))
    from signoff.diff.parse import load_diff
    from signoff.git.runner import open_repo
    from signoff.git.target import resolve_target
    from signoff.relevance.engine import relevant_questions

    tmp = Path(tempfile.mkdtemp(prefix="signoff-eval-"))
    env_args = ["-c", "user.name=Eval", "-c", "user.email=eval@example.com", "-c", "commit.gpgsign=false"]
    _git(tmp, "init", "-q", "-b", "main")
    (tmp / "README").write_text("eval\n")
    _git(tmp, "add", "-A")
    _git(tmp, *env_args, "commit", "-qm", "base")
    _git(tmp, "tag", "base")
    for rel, data in files.items():
        p = tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    _git(tmp, "add", "-A")
    _git(tmp, *env_args, "commit", "--allow-empty", "-qm", "head")
    g = open_repo(tmp)
    diff = load_diff(g, resolve_target(g, "base..HEAD"))
    return relevant_questions(diff, max_hits_per_file=10**9)


def _label_local(lab: dict) -> str:
    return _local(lab["repo"], lab["path"], lab.get("commit", ""))


def _hits(rel) -> dict[str, dict[str, set[int]]]:  # type: ignore[no-untyped-def]
    """{question id: {path: hit lines}} for added-line hits (file-level triggers count for the file)."""
    out: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for r in rel.triggered:
        for h in r.hits:
            out[r.question.id][h.path].add(h.line if h.trigger == "added" else -1000)
    return out


def evaluate(labels_path: Path, src: Path = SRC) -> dict:
    spec = tomllib.loads(labels_path.read_text())
    repos: dict[str, str] = spec["repos"]
    labels = spec["label"]
    files: dict[str, bytes] = {}
    missing = []
    for lab in labels:
        local = _label_local(lab)
        if local not in files:
            data = _blob(lab["repo"], lab.get("commit") or repos[lab["repo"]], lab["path"])
            if data is None:
                missing.append(local)
                continue
            files[local] = data
    rel = _relevance(files, src)
    hits = _hits(rel)
    known = {q.id for q in rel.checklists.questions}
    per_q: dict[str, Counter] = defaultdict(Counter)
    per_repo: dict[str, Counter] = defaultdict(Counter)
    per_lang: dict[str, Counter] = defaultdict(Counter)
    misses = []
    for lab in labels:
        local = _label_local(lab)
        if local in missing:
            continue
        q = lab["question"]
        lines = hits.get(q, {}).get(local, set())
        file_only = bool(lab.get("file_only"))
        at_line = any(abs(n - lab["line"]) <= WINDOW for n in lines)
        for c in (per_q[q], per_repo[lab["repo"]], per_lang[language(lab["path"])]):
            c["n"] += 1
            c["n_line"] += not file_only
            c["line"] += at_line and not file_only
            c["file"] += bool(lines)
        per_q[q]["known"] = q in known
        if not (lines if file_only else at_line):
            at = (lab.get("commit") or repos[lab["repo"]])[:10]
            misses.append(f"{lab['repo']}@{at}:{lab['path']}:{lab['line']} {q}")
    noise_files = _noise_files(spec.get("noise", {}))
    noise_rel = _relevance(noise_files, src)
    noise_lines = sum(d.count(b"\n") for d in noise_files.values())
    hit_lines: set[tuple[str, int]] = set()
    by_q: Counter = Counter()
    for r in noise_rel.triggered:
        for h in r.hits:
            if h.trigger == "added":
                hit_lines.add((h.path, h.line))
                by_q[r.question.id] += 1
    lang_lines: Counter = Counter()
    for p, d in noise_files.items():
        lang_lines[language(p)] += d.count(b"\n")
    lang_hits = Counter(language(p) for p, _ in hit_lines)
    code_files = {p for p in noise_files if not p.endswith((".yml", ".yaml"))}
    code_lines = sum(noise_files[p].count(b"\n") for p in code_files)
    code_hits = sum(1 for p, _ in hit_lines if p in code_files)
    return {
        "labels": len(labels) - sum(1 for lab in labels if _label_local(lab) in missing),
        "missing_files": missing,
        "per_question": {q: dict(c) for q, c in sorted(per_q.items())},
        "per_repo": {r: dict(c) for r, c in sorted(per_repo.items())},
        "per_language": {r: dict(c) for r, c in sorted(per_lang.items())},
        "misses": misses,
        "noise": {
            "files": len(noise_files),
            "lines": noise_lines,
            "hit_lines": len(hit_lines),
            "per_200": 200 * len(hit_lines) / max(noise_lines, 1),
            "by_question": dict(by_q.most_common(15)),
            "code_lines": code_lines,
            "code_hit_lines": code_hits,
            "code_per_200": 200 * code_hits / max(code_lines, 1),
            "per_language": {
                lang: {"lines": n, "hit_lines": lang_hits[lang], "per_200": 200 * lang_hits[lang] / max(n, 1)}
                for lang, n in sorted(lang_lines.items())
            },
        },
    }


def _pct(a: int, n: int) -> str:
    return f"{100 * a / n:5.1f}%" if n else "   - "


def _table(title: str, rows: dict[str, dict], flag=None) -> Counter:  # type: ignore[no-untyped-def]
    print(f"{title:34} {'n':>4} {'hit@line±2':>11} {'file':>7}")
    tot: Counter = Counter()
    for q, c in rows.items():
        extra = flag(c) if flag else ""
        n_line = c.get("n_line", c["n"])
        print(f"{q:34} {c['n']:4} {_pct(c['line'], n_line):>11} {_pct(c['file'], c['n']):>7}{extra}")
        tot.update({k: c.get(k, c["n"] if k == "n_line" else 0) for k in ("n", "n_line", "line", "file")})
    print(f"{'ALL':34} {tot['n']:4} {_pct(tot['line'], tot['n_line']):>11} {_pct(tot['file'], tot['n']):>7}")
    return tot


def report(res: dict) -> None:
    print(f"held-out labels: {res['labels']} (missing files: {len(res['missing_files'])})")
    _table("question", res["per_question"], lambda c: "" if c.get("known") else "   (no such question)")
    print()
    _table("language / file kind", res.get("per_language", {}))
    print("per repository:")
    for r, c in res["per_repo"].items():
        n_line = c.get("n_line", c["n"])
        print(f"  {r:40} {c['n']:4} {_pct(c['line'], n_line):>11} {_pct(c['file'], c['n']):>7}")
    if res.get("misses"):
        print("missed (no hit within two lines; file-only labels: no hit in the file):")
        for m in res["misses"]:
            print(f"  {m}")
    nz = res["noise"]
    if not nz["files"]:
        return
    print(
        f"noise: {nz['hit_lines']} lines hit in {nz['lines']} lines of {nz['files']} ordinary files "
        f"= {nz['per_200']:.2f} per 200 lines (goal <= 1)"
    )
    print(
        f"  of which code (not CI/YAML): {nz['code_hit_lines']} lines hit in {nz['code_lines']} lines "
        f"= {nz['code_per_200']:.2f} per 200 lines"
    )
    for lang, c in nz.get("per_language", {}).items():
        print(f"  {lang:20} {c['hit_lines']:4} lines hit in {c['lines']:6} = {c['per_200']:.2f} per 200")
    for q, n in nz["by_question"].items():
        print(f"  {q:34} {n}")


_COUNTS = ("n", "n_line", "line", "file")


def _rate(c: dict, key: str) -> float | None:
    n = c.get("n_line", c["n"]) if key == "line" else c["n"]
    return 100 * c[key] / n if n else None


def compare(before: dict, after: dict) -> None:
    """Print line-hit and file figures of two runs (``--json`` outputs) side by side, per question and per
    language, and the noise of each."""
    for title, key in (("question", "per_question"), ("language / file kind", "per_language")):
        print(f"{title:34} {'n':>4} {'line before':>12} {'after':>7} {'file before':>12} {'after':>7}")
        tables = [dict(res[key]) for res in (before, after)]
        for t in tables:
            t["ALL"] = {k: sum(c.get(k, c["n"] if k == "n_line" else 0) for c in t.values()) for k in _COUNTS}
        for name in [*sorted((set(tables[0]) | set(tables[1])) - {"ALL"}), "ALL"]:
            b, a = tables[0].get(name), tables[1].get(name)
            cells = []
            for what in ("line", "file"):
                for c in (b, a):
                    r = _rate(c, what) if c else None
                    cells.append("-" if r is None else f"{r:.1f}%")
            n = (a or b or {}).get("n", 0)
            print(f"{name:34} {n:4} {cells[0]:>12} {cells[1]:>7} {cells[2]:>12} {cells[3]:>7}")
        print()
    for label, res in (("before", before), ("after", after)):
        nz = res["noise"]
        print(
            f"noise {label}: {nz['per_200']:.2f} per 200 lines ({nz['hit_lines']} of {nz['lines']}); "
            f"code only {nz['code_per_200']:.2f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=HERE / "heldout_labels.toml")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--src", type=Path, default=SRC, help="src directory of the engine to measure")
    ap.add_argument("--compare", type=Path, nargs=2, metavar=("OLD", "NEW"), help="compare two --json files")
    args = ap.parse_args()
    if args.compare:
        compare(*(json.loads(p.read_text()) for p in args.compare))
        return
    print(f"engine: {args.src.resolve()}")
    res = evaluate(args.labels, args.src.resolve())
    report(res)
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
