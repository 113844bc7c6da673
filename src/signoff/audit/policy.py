"""Gate policy: the ``[gate]`` table of the target's ``.signoff/config.toml`` (never the change's own).

Defaults are strict enough for a compliance gate; docs/trust-model.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from signoff.checklists.model import SEVERITIES
from signoff.errors import UsageError

__all__ = ["LEVELS", "SEVERITIES", "GatePolicy", "gate_policy"]
LEVELS = ("high", "medium", "low", "none")


@dataclass
class GatePolicy:
    """``[gate]`` of the target's config (defaults: strict enough for a compliance gate)."""

    min_approvals: int = 1
    block_severity: str = "high"
    required_checklists: list[str] = field(default_factory=list)
    #: A valid reject / changes-requested vote of an allowed signer blocks.
    reject_blocks: bool = True
    #: An approval by an author or committer of the change counts.
    allow_self_approval: bool = False
    #: A counted approval viewed every changed file (``review.files_reviewed``).
    require_all_files: bool = True
    #: A counted approval states at least this thoroughness.
    min_thoroughness: str = "medium"
    #: A counted approval answers (pass / fail / n/a) every triggered question of this severity or above.
    answer_severity: str = "high"
    #: Principals with non-ASCII or invisible characters are refused unless this is true.
    allow_non_ascii_principals: bool = False


def gate_policy(config: dict[str, Any], where: str) -> GatePolicy:
    """The :class:`GatePolicy` of a parsed config; a :class:`UsageError` naming the bad key."""
    gate = config.get("gate", {})
    if not isinstance(gate, dict):
        raise UsageError(f"{where}: [gate] must be a table")
    p = GatePolicy()
    n = gate.get("min_approvals", p.min_approvals)
    if type(n) is not int or n < 0:
        raise UsageError(f"{where}: [gate] min_approvals must be a non-negative integer")
    p.min_approvals = n
    for key, choices in (
        ("block_severity", SEVERITIES),
        ("answer_severity", SEVERITIES),
        ("min_thoroughness", LEVELS),
    ):
        value = gate.get(key, getattr(p, key))
        if value not in choices:
            raise UsageError(f"{where}: [gate] {key} must be one of {', '.join(choices)}")
        setattr(p, key, value)
    req = gate.get("required_checklists", [])
    if not isinstance(req, list) or not all(isinstance(x, str) for x in req):
        raise UsageError(f"{where}: [gate] required_checklists must be a list of checklist ids")
    p.required_checklists = req
    for key in ("reject_blocks", "allow_self_approval", "require_all_files", "allow_non_ascii_principals"):
        value = gate.get(key, getattr(p, key))
        if not isinstance(value, bool):
            raise UsageError(f"{where}: [gate] {key} must be true or false")
        setattr(p, key, value)
    return p
