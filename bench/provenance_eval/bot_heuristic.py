"""Would a rule for *unknown* GitHub app accounts be precise enough to ship? (measured, not shipped)

The rule measured: the author is a ``*[bot]`` app account the catalogue does not know, not one of the
well-known automation accounts that write no code of their own choosing (dependency updaters, release
and CI bots, translation sync), and the subject does not read like automation (bump, update, release,
sync, merge, lock file...). Such a commit would count as AI ("an unknown agent account").

Run: ``python3 bench/provenance_eval/bot_heuristic.py --clones /tmp/signoff-eval`` prints, over every
range of ``ranges.toml``, the accounts the rule fires on with their labels, then precision and recall
(recall over commits labelled AI only because their author is an app account the catalogue lacks).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from signoff.provenance.catalogue import load_catalogue

HERE = Path(__file__).resolve().parent
#: App accounts of well-known automation (no code of their own choosing).
AUTOMATION = re.compile(
    r"^(?:dependabot|renovate|github-actions|pre-commit-ci|mergify|allcontributors|release-please|"
    r"changeset-bot|snyk-bot|imgbot|weblate|crowdin|greenkeeper|pyup-bot|stale|semantic-release-bot|"
    r"codecov|netlify|vercel|blacksmith-sh|google-cla|copybara-service|octo-sts|[\w-]*-?(?:release|"
    r"updater|sync|publisher|merge|backport|labeler|translations?)[\w-]*)\[bot\]$",
    re.I,
)
AUTOMATION_SUBJECT = re.compile(
    r"^(?:\W*(?:bump|update|upgrade|release|sync|merge|revert|reconcile|lock|pin|translat|regenerate|"
    r"version|publish|chore\((?:deps|release|main)\)|build\(deps|flake\.lock|automated)|"
    r"[\w./-]+: (?:update|bump))",
    re.I,
)
_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@\s]+\[bot\])@users\.noreply\.github\.com$", re.I)


def app_login(name: str, email: str) -> str | None:
    m = _NOREPLY.match(email.strip())
    if m:
        return m.group("login").lower()
    return name.strip().lower() if name.strip().lower().endswith("[bot]") else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clones", type=Path, default=Path("/tmp/signoff-eval"))
    args = ap.parse_args()
    cat = load_catalogue()
    fired: Counter[tuple[str, str, str]] = Counter()
    missed: Counter[tuple[str, str]] = Counter()
    for r in tomllib.loads((HERE / "ranges.toml").read_text())["range"]:
        slug = r["repo"].replace("/", "+")
        rows = [row.split("\t") for row in (HERE / "labels" / f"{slug}.tsv").read_text().splitlines()]
        labels = {row[0]: row[1] for row in rows}
        by_account = {row[0] for row in rows if row[2] == "author-account"}
        revs = [r["head"]] if not r["base"] else [f"{r['base']}..{r['head']}"]
        out = subprocess.run(
            [
                "git",
                "-C",
                str(args.clones / slug),
                "log",
                "-z",
                "--format=%H%x00%an%x00%ae%x00%s",
                *revs,
                "--",
            ],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8", "replace")
        parts = out.split("\0")
        for i in range(0, len(parts) - 3, 4):
            sha, name, email, subject = parts[i].strip(), parts[i + 1], parts[i + 2], parts[i + 3]
            label = labels.get(sha[:12], "human")
            login = app_login(name, email)
            if login is None or label == "ambiguous" or cat.identify(name, email) is not None:
                continue
            if AUTOMATION.match(login) or AUTOMATION_SUBJECT.match(subject):
                if label != "human" and sha[:12] in by_account:  # the account is the only evidence
                    missed[(r["name"], login)] += 1
                continue
            fired[(r["name"], login, "AI" if label != "human" else "human")] += 1
    tp = sum(n for (_, _, lab), n in fired.items() if lab == "AI")
    fp = sum(n for (_, _, lab), n in fired.items() if lab == "human")
    for (rng, login, lab), n in sorted(fired.items()):
        print(f"  fires {n:>4}  {lab:<5}  {login}  ({rng})")
    for (rng, login), n in sorted(missed.items()):
        print(f"  missed {n:>4} AI commits of {login} ({rng}): automation-like")
    fn = sum(missed.values())
    print(f"precision {tp}/{tp + fp} = {tp / max(1, tp + fp):.3f}; recall {tp}/{tp + fn}")


if __name__ == "__main__":
    main()
