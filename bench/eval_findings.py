"""Scanner findings on code signoff's mapping was not written against: real Bandit and zizmor SARIF.

For each repository in ``bench/findings_eval.toml`` (a snapshot brought by the search tool's ``fetch``,
``$SIGNOFF_MIRROR/<owner>+<name>/repo``), the files the tool scans (``*.py`` for Bandit, the GitHub
workflows for zizmor) are added in ONE commit of a temporary repository; the tool runs on that work tree
and writes SARIF; ``signoff scan main..feature --findings FILE --format json`` places the results on the
change. No code from those repositories is stored here: only their names and the labels.

Two routings are measured:

* ``rules``: as shipped (the tool's rule table in ``src/signoff/data/findings_map.toml`` first);
* ``cwe-only``: the SARIF's tool renamed, so only CWE ids, tags and the default apply: what a producer
  without a rule table of its own (Semgrep, CodeQL...) gets from the same kind of result.

Per tool and routing it prints: results in the SARIF, findings signoff placed (and SARIF errors), the share
shown under a specific question (not the default), and accuracy: placed findings shown under a question
that the label file accepts for their rule (labels written from each rule's documentation; several
questions may be accepted). Rules with no label are listed; wrong placements are listed per rule.

Run: ``PYTHONPATH=src python bench/eval_findings.py [--bandit PATH] [--zizmor PATH] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
MIRROR = Path(os.environ.get("SIGNOFF_MIRROR", "/work/.mirror"))
DEFAULT_QUESTION = "code.static-analysis"
#: What each tool scans: a path filter over the snapshot's files.
SCANNED = {
    "bandit": lambda p: p.endswith(".py"),
    "zizmor": lambda p: p.startswith(".github/workflows/") and p.endswith((".yml", ".yaml")),
}


def _run(cmd: list[str], cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=600, check=False, **kw)


def _git(repo: Path, *args: str) -> bytes:
    proc = _run(["git", *args], cwd=repo)
    if proc.returncode != 0:
        raise SystemExit(f"git {args[0]} failed in {repo}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def build_change(snapshot: Path, tool: str, where: Path) -> tuple[Path, int]:
    """A repository whose feature branch adds the snapshot's scanned files; returns it and their count.
    Objects missing from the snapshot (large files it left out) are skipped."""
    listing = _git(snapshot, "ls-tree", "-r", "-z", "HEAD").split(b"\0")
    wanted = []
    for entry in filter(None, listing):
        meta, path = entry.split(b"\t", 1)
        mode, kind, oid = meta.split()
        if kind == b"blob" and mode != b"120000" and SCANNED[tool](path.decode(errors="replace")):
            wanted.append((oid.decode(), path.decode(errors="replace")))
    ids = "".join(f"{oid}\n" for oid, _ in wanted).encode()
    batch = _run(["git", "cat-file", "--batch"], cwd=snapshot, input=ids)
    out, pos, written = batch.stdout, 0, 0
    repo = where / "repo"
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    for args in (("config", "user.name", "eval"), ("config", "user.email", "eval@example.invalid")):
        _git(repo, *args)
    _git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "feature")
    for _oid, path in wanted:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        pos = header_end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out[pos : pos + size])
        pos += size + 1
        written += 1
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "the scanned files")
    return repo, written


def run_tool(tool: str, exe: str, repo: Path, out: Path) -> None:
    if tool == "bandit":
        _run([exe, "-q", "-r", ".", "-f", "sarif", "-o", str(out)], cwd=repo)
    else:
        proc = _run([exe, "--offline", "--format", "sarif", "."], cwd=repo)
        out.write_bytes(proc.stdout)
    if not out.exists() or not out.read_bytes().strip():
        raise SystemExit(f"{tool} wrote no SARIF for {repo}")


def renamed(sarif: Path, out: Path) -> Path:
    """The same SARIF from a tool signoff has no rule table for."""
    doc = json.loads(sarif.read_text())
    for run in doc.get("runs", []):
        run["tool"]["driver"]["name"] = "other-scanner"
    out.write_text(json.dumps(doc))
    return out


def place(repo: Path, sarif: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    cmd = [sys.executable, "-m", "signoff", "-C", str(repo), "scan", "main..feature", "--format", "json",
           "--no-ai", "--findings", str(sarif)]  # fmt: skip
    proc = _run(cmd, env=env)
    if proc.returncode not in (0, 2):
        raise SystemExit(f"signoff scan failed on {repo}: {proc.stderr.decode(errors='replace')}")
    return json.loads(proc.stdout)["findings"]


def sarif_count(sarif: Path) -> tuple[int, int]:
    """Results in the SARIF, and distinct (rule, file, line) among them: signoff keeps one finding per
    place (zizmor reports each expression of one line separately)."""
    places = []
    for run in json.loads(sarif.read_text()).get("runs", []):
        for r in run.get("results", []):
            loc = (r.get("locations") or [{}])[0].get("physicalLocation", {})
            places.append((r.get("ruleId"), loc.get("artifactLocation", {}).get("uri"),
                           loc.get("region", {}).get("startLine")))  # fmt: skip
    return len(places), len(set(places))


def evaluate(cfg: dict, exes: dict[str, str]) -> dict:
    labels: dict[str, dict[str, list[str]]] = cfg["labels"]
    totals: dict[tuple[str, str], Counter] = defaultdict(Counter)
    wrong: dict[tuple[str, str], Counter] = defaultdict(Counter)
    unlabelled: dict[str, Counter] = defaultdict(Counter)
    per_repo = []
    for case in cfg["repo"]:
        tool, name = case["tool"], case["name"]
        snapshot = MIRROR / name.replace("/", "+") / "repo"
        with tempfile.TemporaryDirectory(prefix="signoff-findings-eval-") as tmp:
            repo, files = build_change(snapshot, tool, Path(tmp))
            sarif = Path(tmp) / f"{tool}.sarif"
            run_tool(tool, exes[tool], repo, sarif)
            results, distinct = sarif_count(sarif)
            row = {"tool": tool, "repo": name, "set": case["set"], "files": files, "results": results,
                   "distinct": distinct}  # fmt: skip
            for routing, path in (("rules", sarif), ("cwe-only", renamed(sarif, Path(tmp) / "other.sarif"))):
                found = place(repo, path)
                t = totals[(tool, routing)]
                t["results"] += results
                t["distinct"] += distinct
                t["errors"] += len(found["errors"])
                t["placed"] += len(found["items"])
                for item in found["items"]:
                    rule = item["rule"]
                    t["specific"] += item["question"] != DEFAULT_QUESTION
                    accepted = labels[tool].get(rule)
                    if accepted is None:
                        unlabelled[tool][rule] += routing == "rules"
                        continue
                    t["labelled"] += 1
                    if item["question"] in accepted:
                        t["correct"] += 1
                    else:
                        wrong[(tool, routing)][f"{rule} -> {item['question']}"] += 1
                row[routing] = len(found["items"])
            per_repo.append(row)
    return {"repos": per_repo, "totals": totals, "wrong": wrong, "unlabelled": unlabelled}


def report(res: dict) -> str:
    lines = ["repository                         tool    set       files results distinct placed"]
    for r in res["repos"]:
        lines.append(
            f"{r['repo']:<34} {r['tool']:<7} {r['set']:<9} {r['files']:>5} {r['results']:>7} "
            f"{r['distinct']:>8} {r['rules']:>6}"
        )
    lines.append("")
    lines.append("tool    routing   results distinct placed errors specific accuracy (labelled)")
    for (tool, routing), t in sorted(res["totals"].items()):
        acc = t["correct"] / t["labelled"] if t["labelled"] else 0.0
        spec = t["specific"] / t["placed"] if t["placed"] else 0.0
        lines.append(
            f"{tool:<7} {routing:<9} {t['results']:>7} {t['distinct']:>8} {t['placed']:>6} {t['errors']:>6} "
            f"{spec:>8.1%} "
            f"{acc:>8.1%} ({t['correct']}/{t['labelled']})"
        )
    for (tool, routing), c in sorted(res["wrong"].items()):
        lines.append(f"wrong {tool} {routing}: " + ", ".join(f"{k} x{n}" for k, n in c.most_common()))
    for tool, c in sorted(res["unlabelled"].items()):
        lines.append(f"unlabelled {tool}: " + ", ".join(f"{k} x{n}" for k, n in c.most_common()))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bandit", default=shutil.which("bandit"), help="bandit executable (bandit[sarif])")
    ap.add_argument("--zizmor", default=shutil.which("zizmor"), help="zizmor executable")
    ap.add_argument("--cases", type=Path, default=HERE / "findings_eval.toml")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    args = ap.parse_args()
    exes = {"bandit": args.bandit, "zizmor": args.zizmor}
    missing = [t for t, e in exes.items() if not e]
    if missing:
        raise SystemExit(f"not installed: {', '.join(missing)} (pip install 'bandit[sarif]' zizmor)")
    cfg = tomllib.loads(args.cases.read_text())
    res = evaluate(cfg, exes)
    print(report(res))
    if args.json:
        out = {**res, "totals": {f"{k[0]}/{k[1]}": v for k, v in res["totals"].items()},
               "wrong": {f"{k[0]}/{k[1]}": v for k, v in res["wrong"].items()}}  # fmt: skip
        args.json.write_text(json.dumps(out, indent=2, default=dict))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
