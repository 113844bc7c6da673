"""Load the known-tool catalogue (``data/ai_tools.toml``) and the repository's ``[ai]`` configuration.

The repository is untrusted: its ``message_patterns`` and ``paths`` globs run only in RE2, which is
linear in the input for every pattern it accepts (Python's ``re`` backtracks: ``^(a+)+$`` over a long
commit message runs for hours). Features RE2 lacks (lookaround, backreferences, atomic groups,
possessive repeats) are refused with a one-line message naming the setting and the feature.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from signoff.checklists.linear import compile_linear
from signoff.config import CONFIG_PATH
from signoff.errors import UsageError
from signoff.provenance.tools import LOW, MEDIUM, PROJECT_AGENT, RANK, Catalogue, Tool
from signoff.util.globs import glob_body

#: Longest regex accepted from a repository's config (the repository is untrusted).
MAX_PATTERN = 300
#: Most ``[ai] agents`` entries accepted.
MAX_AGENTS = 200
#: An ``[ai] agents`` entry: a GitHub login (an app's ends in "[bot]") or one e-mail address.
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?")
_ADDRESS = re.compile(r"[^@\s<>,;\"']{1,64}@[A-Za-z0-9.-]{1,190}")


def compile_repo_regex(pattern: str, where: str, *, flags: str = "") -> Any:
    """``pattern`` compiled by RE2 (``flags``: inline flags, e.g. ``"i"``); else a one-line UsageError."""
    source = (f"(?{flags})" if flags else "") + pattern
    matcher, why = compile_linear(source, multiline=True)
    if matcher is None:
        raise UsageError(f"{where}: {str(why).replace(repr(source), repr(pattern))}")
    return matcher


def compile_glob(glob: str, where: str) -> Any:
    """A path glob (the one dialect, :mod:`signoff.util.globs`) as an RE2 pattern for the whole path."""
    return compile_repo_regex(glob_body(glob) + r"\z", where, flags="s")


@cache
def _catalogue_data() -> dict[str, Any]:
    text = resources.files("signoff").joinpath("data/ai_tools.toml").read_text("utf-8")
    return tomllib.loads(text)


def _words_rx(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.I)


def _tool(t: dict[str, Any]) -> Tool:
    names = t.get("names", [])
    low = [x.lower() for x in t.get("emails", [])]
    return Tool(
        id=t["id"],
        name=t["name"],
        emails=low,
        logins={x.lower() for x in t.get("logins", [])},
        names=re.compile("|".join(f"(?:{n})" for n in names), re.I) if names else None,
        words=_words_rx(t.get("words", [])),
        name_suffixes=[s.lower() for s in t.get("name_suffixes", [])],
        trailers={k.lower(): (re.compile(v, re.I) if v else None) for k, v in t.get("trailers", {}).items()},
        markers=[re.compile(m, re.I | re.M) for m in t.get("markers", [])],
        unconfirmed_emails=[x.lower() for x in t.get("unconfirmed_emails", [])],
        domains=[x.lower() for x in t.get("domains", [])],
        common_names={x.lower() for x in t.get("common_names", [])},
        subject_prefixes=list(t.get("subject_prefixes", [])),
        sessions=[re.compile(x, re.I) for x in t.get("sessions", [])],
    )


@cache
def _builtin_tools() -> tuple[Tool, ...]:
    return tuple(_tool(t) for t in _catalogue_data()["tool"])


def _str_list(ai: dict[str, Any], key: str) -> list[str]:
    value = ai.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{CONFIG_PATH}: [ai] {key} must be a list of strings")
    for v in value:
        if len(v) > MAX_PATTERN:
            raise UsageError(f"{CONFIG_PATH}: [ai] {key}: pattern longer than {MAX_PATTERN} characters")
    return value


def _builtin() -> Catalogue:
    data = _catalogue_data()
    tr, inline = data["trailers"], data["inline"]
    on_behalf = data.get("markers", {}).get("on_behalf")
    return Catalogue(
        tools=list(_builtin_tools()),
        person_keys={k.lower() for k in tr["person_keys"]},
        tool_keys={k.lower() for k in tr["tool_keys"]},
        ai_keys={k.lower() for k in tr["ai_keys"]},
        negative_values={v.lower() for v in tr["negative_values"]},
        inline=re.compile("|".join(f"(?:{p})" for p in inline["patterns"]), re.I),
        inline_header=re.compile("|".join(f"(?:{p})" for p in inline["header_patterns"]), re.I),
        header_lines=int(inline.get("header_lines", 10)),
        inline_keywords=tuple(k.lower() for k in inline.get("keywords", [])),
        on_behalf=re.compile(on_behalf, re.I | re.M) if on_behalf else None,
        comment_leaders=tuple(inline.get("comment_leaders", [])),
        prose_suffixes=tuple(s.lower() for s in inline.get("prose_suffixes", [])),
        model_names=re.compile(tr["model_names"], re.I) if tr.get("model_names") else None,
    )


def load_catalogue(ai_config: dict[str, Any] | None = None) -> Catalogue:
    """The built-in catalogue, extended by a repository's ``[ai]`` config table.

    ``[ai]`` keys: ``trailers`` (``"Key"`` or ``"Key: value-regex"``), ``author_emails`` (globs),
    ``message_patterns`` (regexes, searched line-wise), ``paths`` (globs of AI-generated files),
    ``min_confidence`` (``low`` | ``medium`` | ``high``: the weakest signal that makes lines AI),
    ``committer_only`` (``low`` | ``medium`` | ``high``: how sure a tool mark on the committer alone is;
    default ``low``, reported but not counted), ``agents`` (the project's own agent accounts: GitHub
    logins such as ``"pydanty[bot]"`` or addresses; as author or co-author they are high, like a
    catalogue agent. Settings come from the target, never the change: see :mod:`signoff.git.settings`),
    ``disclosures`` (``off`` | ``low`` | ``medium``: prose "AI usage" paragraphs that say AI wrote
    code; default ``low``: reported, lines not AI).
    Repository regexes and globs are compiled by RE2 (see the module docstring).
    """
    cat = _builtin()
    ai = ai_config or {}
    where = f"{CONFIG_PATH} [ai]"
    for raw in _str_list(ai, "trailers"):
        key, sep, value = raw.partition(":")
        pattern = (
            compile_repo_regex(value.strip(), f"{where} trailers", flags="i")
            if sep and value.strip()
            else None
        )
        cat.extra_trailers.append((key.strip().lower(), pattern, raw))
    cat.extra_emails = [e.lower() for e in _str_list(ai, "author_emails")]
    cat.extra_messages = [
        (p, compile_repo_regex(p, f"{where} message_patterns", flags="i"))
        for p in _str_list(ai, "message_patterns")
    ]
    cat.ai_paths = [(g, compile_glob(g, f"{where} paths")) for g in _str_list(ai, "paths")]
    agents = _agents(_str_list(ai, "agents"), f"{where} agents")
    if agents is not None:
        cat.tools.append(agents)
    cat.min_confidence = _level(ai, "min_confidence", MEDIUM)
    cat.committer_only = _level(ai, "committer_only", LOW)
    disclosures = ai.get("disclosures", LOW)
    if disclosures not in ("off", LOW, MEDIUM):
        raise UsageError(f"{CONFIG_PATH}: [ai] disclosures must be one of off, low, medium")
    cat.disclosures = disclosures
    return cat


def _agents(entries: list[str], where: str) -> Tool | None:
    """The project's own agent accounts as one catalogue tool (added last: known tools name first)."""
    if not entries:
        return None
    if len(entries) > MAX_AGENTS:
        raise UsageError(f"{where}: more than {MAX_AGENTS} entries")
    logins: set[str] = set()
    emails: list[str] = []
    for raw in entries:
        entry = raw.strip()
        if _LOGIN.fullmatch(entry):
            logins.add(entry.lower())
        elif _ADDRESS.fullmatch(entry) and not any(c in entry for c in "*?[]"):
            emails.append(entry.lower())
        else:
            raise UsageError(f'{where}: {raw!r} is neither a GitHub login ("name[bot]") nor an address')
    return Tool(
        id=PROJECT_AGENT,
        name="project agent",
        emails=emails,
        logins=logins,
        names=None,
        words=None,
        name_suffixes=[],
        trailers={},
        markers=[],
    )


def _level(ai: dict[str, Any], key: str, default: str) -> str:
    level = ai.get(key, default)
    if not isinstance(level, str) or level not in RANK or level == "exact":
        raise UsageError(f"{CONFIG_PATH}: [ai] {key} must be one of low, medium, high")
    return level
