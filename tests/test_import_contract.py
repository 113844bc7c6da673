"""Import contracts (pyproject.toml): layers by package, and the core never imports Textual or the TUI."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import signoff

ROOT = Path(__file__).resolve().parents[1]
#: Packages allowed to reach the TUI: the CLI (``review`` dispatches to it) and the TUI itself.
UI = {"signoff.cli", "signoff.app", "signoff.__main__"}


def _contracts() -> list[dict]:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return cfg["tool"]["importlinter"]["contracts"]


def _top_level() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(signoff.__path__, "signoff.")}


def test_every_package_is_in_a_layer() -> None:
    layered = {
        name.strip()
        for c in _contracts()
        if c["type"] == "layers"
        for layer in c["layers"]
        for name in layer.split("|")
    }
    missing = sorted(_top_level() - layered - {"signoff.__main__"})
    assert not missing, f"add these to the layers contract in pyproject.toml: {missing}"


def test_every_core_package_is_under_the_no_tui_contract() -> None:
    listed = {m for c in _contracts() for m in c.get("source_modules", [])}
    missing = sorted(_top_level() - UI - listed)
    assert not missing, f"add these core packages to the import-linter contract: {missing}"


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True, timeout=100
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
