"""msgspec Structs for Label Studio tasks, annotations and regions; unknown keys kept."""

from __future__ import annotations

from typing import Any

import msgspec
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
        known = obj.__struct_encode_fields__
        obj.extra = {k: v for k, v in raw.items() if k not in known}
        for name, key in zip(obj.__struct_fields__, known):
            if key in raw:
                _attach_extras(getattr(obj, name), raw[key])
    elif isinstance(obj, list) and isinstance(raw, list):
        for item, raw_item in zip(obj, raw):
            _attach_extras(item, raw_item)


def to_builtins(obj: Any) -> Any:
    """Back to JSON-ready builtins: known fields (unset ones left out), then unknown keys."""
    if isinstance(obj, Open):
        out: dict[str, Any] = {}
        for name, key in zip(obj.__struct_fields__, obj.__struct_encode_fields__):
            if key == _EXTRA:
                continue
            value = getattr(obj, name)
            if value is not UNSET:
                out[key] = to_builtins(value)
        out.update(obj.extra)
        return out
    if isinstance(obj, list):
        return [to_builtins(item) for item in obj]
    return obj
