"""The core never imports Textual or the TUI (import-linter contract in pyproject.toml)."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import signoff

ROOT = Path(__file__).resolve().parents[1]
#: Modules allowed to reach the TUI: the CLI entry (dispatches to `review`) and the review command.
UI_ENTRY = {"signoff.cli", "signoff.commands.review", "signoff.__main__"}


def _contract_sources() -> set[str]:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = cfg["tool"]["importlinter"]["contracts"]
    return {m for c in contracts for m in c.get("source_modules", [])}


def test_every_core_module_is_under_the_contract() -> None:
    listed = _contract_sources()
    core = {
        m.name
        for m in pkgutil.walk_packages(signoff.__path__, "signoff.")
        if not m.name.startswith("signoff.app") and m.name not in UI_ENTRY and not m.ispkg
    }
    missing = sorted(core - listed)
    assert not missing, f"add these core modules to the import-linter contract: {missing}"


def test_import_linter_contract_holds() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
