"""Plain data (parsed YAML) into typed dataclasses, checked field by field.

Every unknown key, wrong type or missing required field is a :class:`~khabar.errors.ConfigError`
naming the file, the dotted key and, for typos, the closest valid key. Used by
:mod:`khabar.config`; nothing here knows about khabar's own sections.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from khabar.errors import ConfigError

C = TypeVar("C")


def suggest(key: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (valid keys: {', '.join(sorted(valid))})"


def type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    if origin in (Union, types.UnionType):
        return " | ".join(type_name(a) for a in get_args(tp))
    if tp is type(None):
        return "null"
    if dataclasses.is_dataclass(tp):
        return "mapping"
    if origin is not None:
        return getattr(origin, "__name__", str(tp))
    return getattr(tp, "__name__", str(tp))


def convert(value: Any, tp: Any, key: str, file: str | None) -> Any:
    """Check ``value`` against the annotation ``tp`` and convert it (dataclasses, containers)."""
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        errors: list[ConfigError] = []
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return convert(value, arg, key, file)
            except ConfigError as err:
                errors.append(err)
        if len(errors) == 1:
            raise errors[0]
        raise ConfigError(
            f"expected {type_name(tp)}, got {type(value).__name__} {value!r}", file=file, key=key
        )
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            hint = suggest(str(value), [str(a) for a in allowed])
            raise ConfigError(
                f"must be one of {', '.join(map(repr, allowed))}, got {value!r}{hint}",
                file=file,
                key=key,
            )
        return value
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"expected a mapping, got {type(value).__name__} {value!r}", file=file, key=key
            )
        return from_mapping(typing.cast(type, tp), value, file=file, prefix=key)
    if origin in (list, Sequence, tuple):
        if not isinstance(value, list | tuple):
            raise ConfigError(
                f"expected a list, got {type(value).__name__} {value!r}", file=file, key=key
            )
        (item_tp, *_) = get_args(tp) or (Any,)
        return [convert(v, item_tp, f"{key}[{i}]", file) for i, v in enumerate(value)]
    if origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"expected a mapping, got {type(value).__name__} {value!r}", file=file, key=key
            )
        k_tp, v_tp = get_args(tp) or (Any, Any)
        out = {}
        for k, v in value.items():
            out[convert(k, k_tp, f"{key}.{k}", file)] = convert(v, v_tp, f"{key}.{k}", file)
        return out
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"expected true or false, got {value!r}", file=file, key=key)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"expected an integer, got {value!r}", file=file, key=key)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"expected a number, got {value!r}", file=file, key=key)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(
                f"expected a string, got {type(value).__name__} {value!r}", file=file, key=key
            )
        return value
    return value


def from_mapping(cls: type[C], data: Mapping[str, Any], *, file: str | None, prefix: str = "") -> C:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if key not in fields:
            raise ConfigError(
                f"unknown key{suggest(str(key), list(fields))}", file=file, key=dotted
            )
        kwargs[key] = convert(value, hints[key], dotted, file)
    for name, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and name not in kwargs:
            dotted = f"{prefix}.{name}" if prefix else name
            raise ConfigError("required field is missing", file=file, key=dotted)
    return cls(**kwargs)


__all__ = ["convert", "from_mapping", "suggest", "type_name"]
