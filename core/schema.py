"""msgspec Structs for Label Studio tasks, annotations and regions; unknown keys kept."""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
import msgspec.inspect
from msgspec import UNSET, UnsetType

from .errors import Problem, SchemaError

_EXTRA = "__tracklabel_unknown_keys__"
Number = int | float  # ints stay ints, so a round trip writes back the same text


class Open(msgspec.Struct, kw_only=True):
    """A Struct that keeps the keys it does not know, and writes them back in order."""

    extra: dict[str, Any] = msgspec.field(default_factory=dict, name=_EXTRA)


class Keyframe(Open, kw_only=True):
    """One keyframe of a videorectangle: percent box, top-left pivot, degrees clockwise."""

    x: Number
    y: Number
    width: Number
    height: Number
    frame: int | UnsetType = UNSET
    time: Number | None | UnsetType = UNSET
    rotation: Number = 0
    enabled: bool | UnsetType = UNSET


class VideoRectangleValue(Open, kw_only=True):
    """The `value` of a videorectangle region."""

    sequence: list[Keyframe]
    labels: list[str] | UnsetType = UNSET
    framesCount: int | UnsetType = UNSET
    duration: Number | UnsetType = UNSET


class Region(Open, kw_only=True):
    """One result item of an annotation; `value` is typed by the tag that made the region."""

    type: str
    value: Any
    id: str | int | UnsetType = UNSET
    from_name: str | UnsetType = UNSET
    to_name: str | UnsetType = UNSET
    origin: str | UnsetType = UNSET


class Annotation(Open, kw_only=True):
    """An annotation or prediction: a list of results (regions, or raw items we do not type)."""

    result: list[Any] = msgspec.field(default_factory=list)
    id: Any = UNSET


class Task(Open, kw_only=True):
    """A Label Studio task: its data, annotations and predictions."""

    data: dict[str, Any]
    id: Any = UNSET
    annotations: list[Annotation] | UnsetType = UNSET
    predictions: list[Annotation] | UnsetType = UNSET


def convert(raw: Any, kind: type, path: str) -> Any:
    """Validate builtins as `kind`, keeping unknown keys; raise SchemaError with the JSON path."""
    try:
        obj = msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        raise SchemaError(split_error(exc, path)) from None
    _attach_extras(obj, raw)
    return obj


def split_error(exc: msgspec.ValidationError, path: str = "$") -> Problem:
    """Turn msgspec's "message - at `$.a.b`" into a Problem at path + the sub path."""
    text = str(exc)
    message, sep, where = text.rpartition(" - at `")
    if not sep:
        return Problem(path, text)
    return Problem(path + where.rstrip("`")[1:], message)


def _attach_extras(obj: Any, raw: Any) -> None:
    if isinstance(obj, Open) and isinstance(raw, dict):
        known, nested = _fields(type(obj))
        if not known.issuperset(raw):
            obj.extra = {k: v for k, v in raw.items() if k not in known}
        for name, key in nested:
            value = getattr(obj, name)
            if isinstance(value, (Open, list)) and key in raw:
                _attach_extras(value, raw[key])
    elif isinstance(obj, list) and isinstance(raw, list):
        for item, raw_item in zip(obj, raw):
            if isinstance(item, (Open, list)):
                _attach_extras(item, raw_item)


@cache
def _fields(kind: type) -> tuple[frozenset, tuple[tuple[str, str], ...]]:
    """A Struct type's JSON keys, and the (field, key) pairs that may hold nested Structs."""
    def nests(t) -> bool:
        if isinstance(t, msgspec.inspect.UnionType):
            return any(nests(member) for member in t.types)
        return isinstance(t, (msgspec.inspect.StructType, msgspec.inspect.ListType, msgspec.inspect.AnyType))

    info = msgspec.inspect.type_info(kind)
    nested = tuple((f.name, f.encode_name) for f in info.fields if nests(f.type))
    return frozenset(kind.__struct_encode_fields__), nested


def to_builtins(obj: Any) -> Any:
    """Back to JSON-ready builtins: known fields (unset ones left out), then unknown keys."""
    return _merge_extras(msgspec.to_builtins(obj))


def _merge_extras(value: Any) -> Any:
    """Put each Struct's unknown keys back in place of the field that held them."""
    if isinstance(value, dict):
        extra = value.pop(_EXTRA, None)
        for item in value.values():
            if isinstance(item, (dict, list)):
                _merge_extras(item)
        if extra:
            value.update(extra)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                _merge_extras(item)
    return value
