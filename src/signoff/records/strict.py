"""Strict conversion of loaded TOML into the record model, and back to plain data.

:func:`converter` checks a value against a dataclass type field by field and names the first problem
(``answers[2].answer: expected one of ...``) in a :class:`RecordError`; :func:`fast_converter` is
generated code that takes only fully valid input, several times faster, and hands anything else to
the strict converter. :func:`plain` turns a dataclass tree into dicts and lists.
"""

from __future__ import annotations

import itertools
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import MISSING, fields, is_dataclass
from functools import cache
from typing import Any, cast

from signoff.errors import UsageError


class RecordError(UsageError):
    """A record that does not follow the schema; ``field`` is the path of the offending field."""

    def __init__(self, message: str, field_path: str = "", source: str = "") -> None:
        where = f"{source}: " if source else ""
        at = f"{field_path}: " if field_path else ""
        super().__init__(f"{where}{at}{message}")
        self.field = field_path
        self.reason = message
        self.source = source


_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean (true/false)"}


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _default_plain(f: Any) -> Any:
    if f.default_factory is not MISSING:
        return plain(f.default_factory())
    return f.default


@cache
def converter(
    tp: Any, choices: tuple[str, ...] | None = None, pattern: re.Pattern[str] | None = None, what: str = ""
) -> Callable[[Any, str, str | int], Any]:
    """A function ``(value, parent_path, key) -> converted`` checking ``value`` strictly against ``tp``.

    Tables missing an optional field get the field's default filled in (in place), so the parsed data
    equals the model's plain form (see :func:`loads_with_payload`). Paths are only built for errors.
    """
    if is_dataclass(tp):
        return _dataclass_converter(tp)
    origin = typing.get_origin(tp)
    if origin is list:
        item: Callable[[Any, str, str | int], Any] = converter(typing.get_args(tp)[0], choices, pattern, what)

        def conv_list(value: Any, parent: str, key: str | int) -> Any:
            if type(value) is not list:
                raise RecordError(f"expected an array, got {_tname(value)}", _path(parent, key))
            here = _path(parent, key)
            return [item(v, here, i) for i, v in enumerate(value)]

        return conv_list
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return converter(inner[0], choices, pattern, what)
    if tp is int:

        def conv_int(value: Any, parent: str, key: str | int) -> Any:
            if type(value) is not int:
                raise RecordError(f"expected an integer, got {_tname(value)}", _path(parent, key))
            if value < 0:
                raise RecordError("expected a non-negative integer", _path(parent, key))
            return value

        return conv_int
    expected = _TYPE_NAMES.get(tp, getattr(tp, "__name__", str(tp)))

    def conv_scalar(value: Any, parent: str, key: str | int) -> Any:
        if type(value) is not tp:
            raise RecordError(f"expected {expected}, got {_tname(value)}", _path(parent, key))
        if choices is not None and value not in choices:
            raise RecordError(f"expected one of {', '.join(choices)}; got {value!r}", _path(parent, key))
        if pattern is not None and not pattern.fullmatch(value):
            raise RecordError(f"expected {what}; got {value!r}", _path(parent, key))
        return value

    return conv_scalar


def _dataclass_converter(tp: Any) -> Callable[[Any, str, str | int], Any]:
    """The converter of a table into the dataclass ``tp`` (unknown and missing fields are errors)."""
    hints = typing.get_type_hints(tp)
    convs: dict[str, Any] = {}
    required: list[str] = []
    optional: list[Any] = []
    plain_str = converter(str)
    for f in fields(tp):
        m = f.metadata
        convs[f.name] = converter(hints[f.name], m.get("choices"), m.get("pattern"), m.get("what", ""))
        if f.default is MISSING and f.default_factory is MISSING:
            required.append(f.name)
        else:
            optional.append(f)

    def conv_dc(value: Any, parent: str, key: str | int) -> Any:
        if type(value) is not dict:
            raise RecordError(f"expected a table, got {_tname(value)}", _path(parent, key))
        here = _path(parent, key) if key != "" else ""
        kwargs = {}
        for k, v in value.items():
            c = convs.get(k)
            if c is None:
                raise RecordError("unknown field", _path(here, str(k)))
            if c is plain_str and type(v) is str:  # the common case, without a call
                kwargs[k] = v
            else:
                kwargs[k] = c(v, here, k)
        if len(kwargs) != len(convs):
            for k in required:
                if k not in value:
                    raise RecordError("missing field", _path(here, k))
            for f in optional:
                if f.name not in value:
                    default = _default_plain(f)
                    if default is not None:
                        value[f.name] = default
        return cast(Any, tp)(**kwargs)

    return conv_dc


class Slow(Exception):
    """The fast converter cannot take this value; the strict converter decides (and names the problem)."""


@cache
def fast_converter(tp: Any) -> Callable[[Any], Any]:
    """A function ``(table) -> tp`` generated for a dataclass: every field present, every value valid.

    It accepts exactly what :func:`converter` accepts without filling defaults or raising, and returns
    an equal object; for anything else (a missing or unknown field, a bad value) it raises :class:`Slow`
    (or ``KeyError``) and :func:`converter` runs. Generated code checks all fields inline, which makes
    loading thousands of records (``signoff verify``) several times faster than the generic walk.
    """
    hints = typing.get_type_hints(tp)
    env: dict[str, Any] = {"Slow": Slow, "tp": tp}
    names = itertools.count()
    flds = fields(tp)
    required = [f for f in flds if f.default is not None]
    optional = [f for f in flds if f.default is None]
    code = [
        "def conv(d):",
        f"    if type(d) is not dict or not {len(required)} <= len(d) <= {len(flds)}:",
        "        raise Slow",
        f"    n = {len(required)}",
    ]
    args = []
    for f in flds:
        var = f"v{next(names)}"
        if f.default is None:  # optional (schema /2 tables, the signature): absent is None
            code.append(f"    {var} = d.get({f.name!r})")
            code.append(f"    if {var} is not None:")
            code.append("        n += 1")
            expr = _fast_check(code, var, hints[f.name], f.metadata, env, names, "        ")
            code.append(f"        {var} = {expr}")
            args.append(var)
        else:
            code.append(f"    {var} = d[{f.name!r}]")
            args.append(_fast_check(code, var, hints[f.name], f.metadata, env, names, "    "))
    code.append("    if n != len(d):")
    code.append("        raise Slow")
    del optional
    code.append(f"    return tp({', '.join(args)})")
    exec("\n".join(code), env)
    conv: Callable[[Any], Any] = env["conv"]
    return conv


def _fast_check(
    code: list[str], var: str, tp: Any, meta: Any, env: dict[str, Any], names: Iterator[int], ind: str
) -> str:
    """Append checks of ``var`` against ``tp`` to ``code``; return the expression of the converted value."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
        origin = typing.get_origin(tp)
    if is_dataclass(tp):
        fn = f"f{next(names)}"
        env[fn] = fast_converter(tp)  # type: ignore[arg-type]
        return f"{fn}({var})"
    if origin is list:
        code.append(f"{ind}if type({var}) is not list:")
        code.append(f"{ind}    raise Slow")
        item_tp = typing.get_args(tp)[0]
        item = f"x{next(names)}"
        if is_dataclass(item_tp):
            return f"[{_fast_check(code, item, item_tp, meta, env, names, ind)} for {item} in {var}]"
        code.append(f"{ind}for {item} in {var}:")
        _fast_check(code, item, item_tp, meta, env, names, ind + "    ")
        return f"list({var})"
    if tp is int:
        code.append(f"{ind}if type({var}) is not int or {var} < 0:")
    elif tp in (str, bool):
        cond = f"type({var}) is not {tp.__name__}"
        if meta.get("choices") is not None:
            env[f"c_{var}"] = frozenset(meta["choices"])
            cond += f" or {var} not in c_{var}"
        if meta.get("pattern") is not None:
            env[f"p_{var}"] = meta["pattern"].fullmatch
            cond += f" or p_{var}({var}) is None"
        code.append(f"{ind}if {cond}:")
    else:  # pragma: no cover - not in the model
        raise TypeError(f"no fast check for {tp}")
    code.append(f"{ind}    raise Slow")
    return var


def plain(obj: Any) -> Any:
    """A dataclass tree as plain dicts and lists (a fast ``asdict`` for this model)."""
    if isinstance(obj, list):
        return [plain(x) for x in obj]
    names = _FIELD_NAMES.get(type(obj), _UNSEEN)
    if names is _UNSEEN:
        names = _FIELD_NAMES[type(obj)] = _field_names(type(obj))
    if names is None:
        return obj
    out = {}
    for n in names:
        v = getattr(obj, n)
        if v is not None:  # optional fields: absent
            out[n] = plain(v)
    return out


def _tname(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        bool: "a boolean",
        float: "a float",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


_UNSEEN: Any = object()
#: Field names per dataclass type (None: not a dataclass); filled on first sight.
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(tp: type) -> tuple[str, ...] | None:
    return tuple(f.name for f in fields(tp)) if is_dataclass(tp) else None
