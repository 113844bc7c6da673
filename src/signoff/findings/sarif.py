"""Reading SARIF 2.1.0 from any scanner (Bandit, zizmor, Semgrep, CodeQL, Trivy, gitleaks, ...).

:func:`load_sarif` turns one file into :class:`RawFinding` objects with repository-relative paths. Bad
input — not UTF-8, not JSON, too large, too deep, the wrong version, a malformed structure, a location
outside the repository — raises :class:`FindingsError` naming the file and the problem; nothing of that
file is used. The scanner output is untrusted: every string is kept as data and shown made visible.
"""

from __future__ import annotations

import json
import os.path
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from signoff.errors import UsageError
from signoff.util.files import read_regular
from signoff.util.sanitize import visible

#: Largest SARIF file read (CodeQL runs on big repositories reach tens of MB).
MAX_BYTES = 64 * 1024 * 1024
MAX_RESULTS = 100_000
MAX_TEXT = 500
LEVELS = ("error", "warning", "note", "none")
_CWE_RX = re.compile(r"(?:^|[^a-z])cwe[-_/: ]?0*(\d{1,5})\b", re.IGNORECASE)


class FindingsError(UsageError):
    """A SARIF file that cannot be used; the message names the file and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{visible(source)}: {problem}")
        self.source = source
        self.problem = problem


@dataclass(frozen=True)
class RawFinding:
    """One SARIF result located in the repository."""

    tool: str
    rule: str
    level: str
    message: str
    path: str
    line: int
    end_line: int
    cwe: tuple[str, ...]
    tags: tuple[str, ...]
    source: str


def load_sarif(path: str | Path, root: Path, *, max_bytes: int = MAX_BYTES) -> list[RawFinding]:
    """The results of every run in the SARIF file at ``path``; paths relative to ``root``."""
    source = str(path)
    data = _read(Path(path), source, max_bytes)
    if not isinstance(data, dict):
        raise FindingsError(source, "not a SARIF log (the top level is not a JSON object)")
    version = data.get("version")
    if version != "2.1.0":
        raise FindingsError(source, f"SARIF version {visible(repr(version))} is not supported (need 2.1.0)")
    runs = data.get("runs")
    if not isinstance(runs, list):
        raise FindingsError(source, "runs: expected an array")
    out: list[RawFinding] = []
    for i, run in enumerate(runs):
        out.extend(_run(run, f"runs[{i}]", source, root.resolve()))
        if len(out) > MAX_RESULTS:
            raise FindingsError(source, f"more than {MAX_RESULTS} results")
    return out


def _read(path: Path, source: str, max_bytes: int) -> Any:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FindingsError(source, f"{size} bytes is larger than the {max_bytes}-byte limit")
        raw = read_regular(path, max_bytes)  # a FIFO or device is refused, never read (it could block)
    except OSError as exc:
        raise FindingsError(source, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise FindingsError(source, f"larger than the {max_bytes}-byte limit")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and (raw[0] == 0 or raw[1] == 0)):
        raise FindingsError(source, "is UTF-16 or UTF-32; SARIF must be UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FindingsError(source, f"not UTF-8 (byte {exc.start}); SARIF must be UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FindingsError(source, f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise FindingsError(source, "JSON nested too deeply") from None


def _obj(value: Any, where: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FindingsError(source, f"{where}: expected an object")
    return value


def _list(value: Any, where: str, source: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FindingsError(source, f"{where}: expected an array")
    return value


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    s = value if isinstance(value, str) else ""
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _run(run: Any, where: str, source: str, root: Path) -> list[RawFinding]:
    run = _obj(run, where, source)
    driver = _obj(
        _obj(run.get("tool"), f"{where}.tool", source).get("driver"), f"{where}.tool.driver", source
    )
    tool = _text(driver.get("name"), 100) or "unknown tool"
    components = [driver] + [
        _obj(e, f"{where}.tool.extensions[{i}]", source)
        for i, e in enumerate(_list(run["tool"].get("extensions"), f"{where}.tool.extensions", source))
    ]
    rules = [_rules_of(c, f"{where}.tool", source) for c in components]
    bases = _uri_bases(run.get("originalUriBaseIds"), root)
    artifacts = _list(run.get("artifacts"), f"{where}.artifacts", source)
    out = []
    for j, res in enumerate(_list(run.get("results"), f"{where}.results", source)):
        at = f"{where}.results[{j}]"
        res = _obj(res, at, source)
        rule_id, rule = _rule_of(res, rules, at, source)
        loc = _location(res, artifacts, bases, root, at, source)
        if loc is None:
            continue  # a result with no file location (repository-level) cannot sit on the diff
        path, line, end = loc
        level = res.get("level") or _default_level(rule)
        if level not in LEVELS:
            raise FindingsError(source, f"{at}.level: {visible(repr(level))} is not a SARIF level")
        tags = _tags(rule) + _tags(res)
        out.append(
            RawFinding(
                tool=tool,
                rule=_text(rule_id, 200),
                level=level,
                message=_message(res, rule),
                path=path,
                line=line,
                end_line=end,
                cwe=_cwes(rule, res, tags),
                tags=tuple(dict.fromkeys(t.lower() for t in tags)),
                source=source,
            )
        )
    return out


def _rules_of(component: dict[str, Any], where: str, source: str) -> list[dict[str, Any]]:
    return [
        _obj(r, f"{where}.rules[{i}]", source)
        for i, r in enumerate(_list(component.get("rules"), where, source))
    ]


def _rule_of(
    res: dict[str, Any], rules: list[list[dict[str, Any]]], at: str, source: str
) -> tuple[str, dict[str, Any]]:
    ref = _d(res.get("rule"))
    rule_id = res.get("ruleId") or ref.get("id") or ""
    comp = ref.get("toolComponent", {}).get("index", 0) if isinstance(ref.get("toolComponent"), dict) else 0
    index = res.get("ruleIndex", ref.get("index", -1))
    table = rules[comp] if isinstance(comp, int) and 0 <= comp < len(rules) else []
    rule: dict[str, Any] = {}
    if isinstance(index, int) and 0 <= index < len(table):
        rule = table[index]
    elif rule_id:
        rule = next((r for r in (x for t in rules for x in t) if r.get("id") == rule_id), {})
    rule_id = rule_id or rule.get("id", "")
    if not isinstance(rule_id, str) or not rule_id:
        raise FindingsError(source, f"{at}: no ruleId")
    return rule_id, rule


def _default_level(rule: dict[str, Any]) -> str:
    conf = rule.get("defaultConfiguration")
    level = conf.get("level") if isinstance(conf, dict) else None
    return level if isinstance(level, str) else "warning"


def _message(res: dict[str, Any], rule: dict[str, Any]) -> str:
    msg = _d(res.get("message"))
    text = msg.get("text")
    if not isinstance(text, str) and isinstance(msg.get("id"), str):
        strings = _d(rule.get("messageStrings"))
        text = _d(strings.get(msg["id"])).get("text")
        args = _l(msg.get("arguments"))
        if isinstance(text, str):
            for k, a in enumerate(args):
                text = text.replace("{" + str(k) + "}", str(a))
    if not isinstance(text, str):
        short = rule.get("shortDescription")
        text = short.get("text") if isinstance(short, dict) else ""
    return _text(" ".join(str(text).split()))


def _tags(obj: dict[str, Any]) -> list[str]:
    props = obj.get("properties")
    tags = props.get("tags") if isinstance(props, dict) else None
    return [t for t in tags if isinstance(t, str)][:50] if isinstance(tags, list) else []


def _cwes(rule: dict[str, Any], res: dict[str, Any], tags: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    texts = list(tags)
    for obj in (rule, res):
        props = _d(obj.get("properties"))
        cwe = props.get("cwe")
        texts += [c for c in (cwe if isinstance(cwe, list) else [cwe]) if isinstance(c, str)]
        for rel in _l(obj.get("relationships")):
            target = _d(_d(rel).get("target"))
            if str(_d(target.get("toolComponent")).get("name", "")).upper() == "CWE":
                texts.append(f"CWE-{target.get('id', '')}")
    for taxon in _l(res.get("taxa")):
        if isinstance(taxon, dict) and isinstance(taxon.get("id"), str):
            comp = _d(taxon.get("toolComponent"))
            if str(comp.get("name", "CWE")).upper() == "CWE":
                texts.append(f"CWE-{taxon['id']}")
    for t in texts:
        found += [f"CWE-{int(m.group(1))}" for m in _CWE_RX.finditer(t)]
    return tuple(dict.fromkeys(found))


def _uri_bases(value: Any, root: Path) -> dict[str, Path | None]:
    """``originalUriBaseIds``: base id -> absolute directory (None: relative to the repository root)."""
    out: dict[str, Path | None] = {}
    if not isinstance(value, dict):
        return out
    for name, loc in value.items():
        uri = loc.get("uri") if isinstance(loc, dict) else None
        if isinstance(uri, str) and uri.startswith("file:"):
            out[name] = Path(unquote(urlsplit(uri).path))
        else:
            out[name] = None
    return out


def _location(
    res: dict[str, Any], artifacts: list[Any], bases: dict[str, Path | None], root: Path, at: str, source: str
) -> tuple[str, int, int] | None:
    locs = res.get("locations")
    if not isinstance(locs, list) or not locs:
        return None
    phys = _d(_d(locs[0]).get("physicalLocation"))
    if not phys:
        return None
    art = _d(phys.get("artifactLocation"))
    uri, base = art.get("uri"), art.get("uriBaseId")
    index = art.get("index")
    if not isinstance(uri, str) and isinstance(index, int) and 0 <= index < len(artifacts):
        entry = _d(_d(artifacts[index]).get("location"))
        uri, base = entry.get("uri"), entry.get("uriBaseId", base)
    if not isinstance(uri, str) or not uri:
        return None
    path = _repo_path(uri, bases.get(base) if isinstance(base, str) else None, root)
    if path is None:
        raise FindingsError(source, f"{at}: location {visible(uri)} is outside the repository")
    region = _d(phys.get("region"))
    line = region.get("startLine", 0)
    if not isinstance(line, int) or line < 0:
        raise FindingsError(source, f"{at}: region.startLine must be a positive integer")
    end = region.get("endLine", line)
    return path, line, end if isinstance(end, int) and end >= line else line


def _repo_path(uri: str, base: Path | None, root: Path) -> str | None:
    """The repository-relative POSIX path ``uri`` names, or None when it is outside ``root``."""
    parts = urlsplit(uri)
    if parts.scheme and parts.scheme != "file" and len(parts.scheme) > 1:
        return None  # http:, git: ... are not files of this repository
    raw = unquote(parts.path if parts.scheme == "file" else uri)
    if "\0" in raw:
        return None
    if parts.scheme == "file" or raw.startswith("/"):
        absolute = Path(raw)
    else:
        absolute = (base or root) / raw
    try:
        rel = PurePosixPath(Path(_normalise(absolute)).relative_to(root).as_posix())
    except ValueError:
        return None
    if not rel.parts or rel.parts[0] in ("..", ".git"):
        return None
    return rel.as_posix()


def _normalise(path: Path) -> str:
    """``..`` and ``.`` resolved lexically (the scanned files need not exist here)."""
    return os.path.normpath(str(path))
